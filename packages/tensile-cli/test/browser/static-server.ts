/** A static file server on 127.0.0.1 for the browser tests, optionally cross-origin isolated (COOP/COEP). */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after } from 'node:test';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

/** Serves `dir` until the test file ends; returns its base URL. */
export async function serveFolder(dir: string, options: { isolated: boolean }): Promise<string> {
  const server = createServer((request, response) => {
    const name = path.join(dir, path.normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, ''));
    readFile(name.endsWith(path.sep) ? path.join(name, 'index.html') : name).then(
      (body) => {
        const headers: Record<string, string> = { 'content-type': TYPES[path.extname(name) || '.html'] ?? 'application/octet-stream' };
        if (options.isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
        response.writeHead(200, headers).end(body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
