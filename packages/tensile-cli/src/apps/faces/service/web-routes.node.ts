/**
 * The admin page: plain HTML, JavaScript and CSS from the package's `web/faces` folder, read once at
 * start (no build step), served with headers that keep other sites from framing or scripting it.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const WEB_FOLDER = new URL('../../../../../web/faces/', import.meta.url);

const PAGES: readonly { readonly route: string; readonly file: string; readonly type: string }[] = [
  { route: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { route: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { route: '/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
];

const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/** For every response: no framing, no inline or foreign scripts, no type sniffing, no referrer. */
export async function securityHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
}

export async function webRoutes(app: FastifyInstance): Promise<void> {
  for (const page of PAGES) {
    const body = readFileSync(new URL(page.file, WEB_FOLDER));
    app.get(page.route, async (_request, reply) => reply.type(page.type).header('cache-control', 'no-cache').send(body));
  }
}
