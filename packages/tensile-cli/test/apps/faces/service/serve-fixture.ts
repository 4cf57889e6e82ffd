/**
 * The service with the test pipeline as a process of its own, for the kill test:
 * `node serve-fixture.js DB_FILE` prints `listening <url>` once it accepts requests.
 */
import { serveFaces } from '../../../../src/apps/faces/service/serve.node.js';
import { fakePipeline } from './fake-pipeline.js';
import { PASSWORD } from './harness.js';

const dbFile = process.argv[2];
if (dbFile === undefined) throw new Error('usage: serve-fixture.js DB_FILE');
const running = await serveFaces({ db: dbFile, pipeline: fakePipeline(), port: 0, host: '127.0.0.1', password: PASSWORD });
process.stdout.write(`listening ${running.url}\n`);
