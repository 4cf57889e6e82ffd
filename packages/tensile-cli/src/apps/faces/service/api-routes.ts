/**
 * The JSON API: people (enrol, list, rename, delete, add photographs), identification, the decision
 * log with the review queue, the policy settings, and the stored face crops.
 */
import type { FastifyInstance } from 'fastify';
import { type ImageFormat, sniffImageFormat } from 'tensile';
import { idParams, requireAdmin, requireAdminOrCamera } from './auth.node.js';
import type { FaceService } from './face-service.node.js';
import { HttpError } from './http-error.js';
import type { Policy } from './policy.js';
import { readUpload } from './uploads.js';

const MAX_DECISIONS = 500;
/** Stored images are photographs as uploaded (any format the service reads) and PNG face crops (JPEG before 2026-12-06). */
const IMAGE_TYPES: Record<ImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp', gif: 'image/gif', pnm: 'image/x-portable-anymap' };

export async function apiRoutes(app: FastifyInstance, service: FaceService): Promise<void> {
  const admin = requireAdmin(service.db);
  const adminOrCamera = requireAdminOrCamera(service.db);

  app.get('/api/health', async () => ({
    ok: true,
    embedder: service.pipeline.embedder,
    people: service.people().length,
    embeddings: service.enrolledEmbeddings,
  }));

  app.get('/api/people', { onRequest: admin }, async () => ({ people: service.people() }));

  app.post('/api/people', { onRequest: admin }, async (request, reply) => {
    const upload = await readUpload(request, service.limits);
    const person = await service.enrol(upload.fields.get('name') ?? '', upload.photos);
    void reply.code(201);
    return person;
  });

  app.post<{ Params: { id: number } }>('/api/people/:id/photos', { onRequest: admin, schema: { params: idParams } }, async (request) => {
    const upload = await readUpload(request, service.limits);
    return service.addPhotos(request.params.id, upload.photos);
  });

  app.patch<{ Params: { id: number }; Body: { name: string } }>(
    '/api/people/:id',
    { onRequest: admin, schema: { params: idParams, body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' } } } } },
    async (request) => service.rename(request.params.id, request.body.name),
  );

  app.delete<{ Params: { id: number } }>('/api/people/:id', { onRequest: admin, schema: { params: idParams } }, async (request) => {
    service.deletePerson(request.params.id);
    return { deleted: true };
  });

  app.post('/api/identify', { onRequest: adminOrCamera }, async (request) => {
    // An overloaded service refuses before reading the photograph.
    service.refuseWhenBusy();
    const upload = await readUpload(request, { ...service.limits, maxFiles: 1 });
    if (upload.photos.length !== 1) throw new HttpError(400, 'one-photograph', 'identification takes exactly one photograph');
    const caller = request.caller!;
    const source = caller.kind === 'camera' ? `camera:${caller.tokenName}` : 'admin';
    return { faces: await service.identify(upload.photos[0]!, source) };
  });

  app.get<{ Querystring: { after?: number; limit?: number; pending?: boolean } }>(
    '/api/decisions',
    {
      onRequest: admin,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { after: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: MAX_DECISIONS, default: 50 }, pending: { type: 'boolean' } },
        },
      },
    },
    async (request) => ({ decisions: service.db.decisions({ after: request.query.after, limit: request.query.limit ?? 50, pending: request.query.pending }) }),
  );

  app.post<{ Params: { id: number }; Body: { outcome: 'allow' | 'deny' } }>(
    '/api/decisions/:id',
    {
      onRequest: admin,
      schema: { params: idParams, body: { type: 'object', required: ['outcome'], additionalProperties: false, properties: { outcome: { enum: ['allow', 'deny'] } } } },
    },
    async (request) => service.resolve(request.params.id, request.body.outcome),
  );

  app.get('/api/settings', { onRequest: admin }, async () => ({ policy: service.policy, allowDistanceNow: service.allowDistanceNow, allowBySizeAvailable: service.pipeline.openSet !== undefined, embedder: service.pipeline.embedder, calibratedThreshold: service.pipeline.threshold, limits: service.limits }));

  app.put<{ Body: Policy }>(
    '/api/settings',
    {
      onRequest: admin,
      schema: {
        body: {
          type: 'object',
          required: ['threshold', 'autoDecide', 'allowDistance', 'unknownFaces'],
          additionalProperties: false,
          properties: { threshold: { type: 'number' }, autoDecide: { type: 'boolean' }, allowDistance: { anyOf: [{ type: 'number' }, { const: 'gallery-size' }] }, unknownFaces: { enum: ['deny', 'review'] } },
        },
      },
    },
    async (request) => ({ policy: service.setPolicy(request.body), allowDistanceNow: service.allowDistanceNow }),
  );

  app.get<{ Params: { hash: string } }>('/api/crops/:hash', { onRequest: admin }, async (request, reply) => {
    // Identification crops are in the database; enrolment photographs and crops, and identification crops from before migration 2, are files.
    const bytes = service.db.crop(request.params.hash) ?? (await service.files.get(request.params.hash));
    if (bytes === undefined) throw new HttpError(404, 'not-found', 'no such crop');
    // Content-addressed, so the bytes behind a name never change.
    return reply.type(IMAGE_TYPES[sniffImageFormat(bytes) ?? 'jpeg']).header('cache-control', 'private, max-age=31536000, immutable').send(Buffer.from(bytes));
  });
}
