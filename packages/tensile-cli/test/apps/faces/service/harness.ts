/** Starts the service on a free port with a fresh database and the test pipeline; stops it after the file's tests. */
import path from 'node:path';
import { after } from 'node:test';
import { serveFaces, type RunningService, type ServeOptions } from '../../../../src/apps/faces/service/serve.node.js';
import { tempDir } from 'tensile-test-support';
import { ServiceClient } from './client.js';
import { fakePipeline } from './fake-pipeline.js';

export const PASSWORD = 'correct horse battery staple';

export interface Harness {
  readonly running: RunningService;
  readonly admin: ServiceClient;
  readonly dbFile: string;
}

export async function startHarness(options: Partial<ServeOptions> = {}): Promise<Harness> {
  const dir = await tempDir('tensile-faces-');
  const dbFile = path.join(dir, 'faces.db');
  const running = await serveFaces({ db: dbFile, pipeline: fakePipeline(), port: 0, host: '127.0.0.1', password: PASSWORD, ...options });
  after(() => running.close());
  const admin = new ServiceClient(running.url);
  const response = await admin.signIn(PASSWORD);
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return { running, admin, dbFile };
}
