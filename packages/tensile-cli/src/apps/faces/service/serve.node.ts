/** Starts the access-control service: database, password, HTTP server. */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SIGN_IN_LIMIT, ensurePassword, type SignInLimit } from './auth.node.js';
import type { FacePipeline } from '../face-pipeline.js';
import { FaceService } from './face-service.node.js';
import { randomPassword } from './password.node.js';
import { buildServer } from './server.node.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './uploads.js';

export interface ServeOptions {
  readonly db: string;
  readonly pipeline: FacePipeline;
  readonly port: number;
  readonly host: string;
  /** The administrator password from the environment; when absent and none is stored, one is generated. */
  readonly password?: string;
  readonly limits?: UploadLimits;
  readonly signInLimit?: SignInLimit;
  readonly tls?: { key: Buffer; cert: Buffer };
  /** Photographs in the pipeline's hands before identifications are answered 503 (FaceServiceOptions). */
  readonly maxPending?: number;
}

export interface RunningService {
  readonly url: string;
  readonly service: FaceService;
  readonly app: FastifyInstance;
  /** Set on a first start without a password: show it once. */
  readonly generatedPassword?: string;
  /** People enrolled only with another embedder, who this one cannot recognise. */
  readonly peopleWithoutEmbeddings: number;
  close(): Promise<void>;
}

export async function serveFaces(options: ServeOptions): Promise<RunningService> {
  const service = await FaceService.open(options.db, options.pipeline, options.limits ?? DEFAULT_UPLOAD_LIMITS, { maxPending: options.maxPending });
  try {
    const generatedPassword = await ensurePassword(service.db, options.password, randomPassword);
    const app = await buildServer(service, { signInLimit: options.signInLimit ?? DEFAULT_SIGN_IN_LIMIT, fastify: options.tls ? { https: options.tls } : {} });
    const address = await app.listen({ port: options.port, host: options.host });
    const url = options.host === '127.0.0.1' || options.host === 'localhost' ? address.replace('127.0.0.1', 'localhost') : address;
    return {
      url,
      service,
      app,
      generatedPassword,
      peopleWithoutEmbeddings: service.db.peopleWithoutEmbeddings(options.pipeline.embedder),
      async close() {
        await app.close();
        service.close();
      },
    };
  } catch (error) {
    service.close();
    throw error;
  }
}
