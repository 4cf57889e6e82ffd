/**
 * Serves a built demo folder over HTTP (Fastify), cross-origin isolated (COOP/COEP headers) so the
 * page gets shared memory and the WASM kernels run on Web Workers.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify from 'fastify';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
};

export interface ServingFolder {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveFolder(dir: string, options: { port: number; host: string }): Promise<ServingFolder> {
  const root = path.resolve(dir);
  const app = Fastify({ logger: false });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cross-origin-opener-policy', 'same-origin').header('cross-origin-embedder-policy', 'require-corp');
  });
  app.get('/*', async (request, reply) => {
    const wanted = (request.params as { '*': string })['*'] || 'index.html';
    const file = path.resolve(root, wanted);
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(root + path.sep) || type === undefined) return reply.code(404).send('not found');
    const body = await readFile(file).catch(() => undefined);
    return body === undefined ? reply.code(404).send('not found') : reply.type(type).send(body);
  });
  const address = await app.listen({ port: options.port, host: options.host });
  return { url: `${address.replace('127.0.0.1', 'localhost')}/`, close: () => app.close() };
}
