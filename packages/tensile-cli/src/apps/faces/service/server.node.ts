/** The HTTP server: Fastify with the multipart parser, the sign-in and API routes, the admin page and JSON errors. */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { apiRoutes } from './api-routes.js';
import { authRoutes, type SignInLimit } from './auth.node.js';
import type { FaceService } from './face-service.node.js';
import { HttpError } from './http-error.js';
import { securityHeaders, webRoutes } from './web-routes.node.js';

export interface ServerOptions {
  readonly signInLimit: SignInLimit;
  /** Passed to Fastify (logger, https). */
  readonly fastify?: FastifyServerOptions & { https?: { key: Buffer; cert: Buffer } };
}

export async function buildServer(service: FaceService, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...options.fastify }) as unknown as FastifyInstance;
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error(error);
    const code = error instanceof HttpError ? error.code : status === 400 && 'validation' in error ? 'bad-request' : (error.code ?? 'error');
    if (error instanceof HttpError) void reply.headers(error.headers);
    void reply.code(status).send({ error: code, message: status >= 500 && !(error instanceof HttpError) ? 'internal error' : error.message });
  });
  app.addHook('onSend', securityHeaders);
  await app.register(multipart);
  await app.register(async (scope) => authRoutes(scope, service.db, options.signInLimit));
  await app.register(async (scope) => apiRoutes(scope, service));
  await app.register(webRoutes);
  return app;
}
