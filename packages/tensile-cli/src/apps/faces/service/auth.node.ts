/**
 * Who may do what. The administrator signs in with the password and gets a session cookie
 * (HttpOnly, Secure, SameSite=Strict); every state change in a session must also carry the session's
 * CSRF token in `X-CSRF-Token` and must not come from another site. Camera clients identify with
 * `Authorization: Bearer <token>`. Sign-in is rate-limited per address.
 */
import rateLimit from '@fastify/rate-limit';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaceDatabase } from './database.node.js';
import { readCookie, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { HttpError } from './http-error.js';
import { hashPassword, verifyPassword } from './password.node.js';

const PASSWORD_KEY = 'password';
const SESSION_SECONDS = 12 * 3600;
const MIN_PASSWORD_LENGTH = 8;

export interface SignInLimit {
  /** Sign-in attempts per address… */
  readonly max: number;
  /** …per this many milliseconds. */
  readonly windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMIT: SignInLimit = { max: 10, windowMs: 60_000 };

/** Who made a request: the signed-in administrator or a camera client. */
export type Caller = { readonly kind: 'admin'; readonly csrf: string } | { readonly kind: 'camera'; readonly tokenName: string };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sets the administrator password when there is none, or when `fromEnvironment` differs from the
 * stored one. Returns the password to show when one had to be generated.
 */
export async function ensurePassword(db: FaceDatabase, fromEnvironment: string | undefined, generate: () => string): Promise<string | undefined> {
  const stored = db.setting<string>(PASSWORD_KEY);
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    if (stored === undefined || !(await verifyPassword(fromEnvironment, stored))) await setPassword(db, fromEnvironment);
    return undefined;
  }
  if (stored !== undefined) return undefined;
  const generated = generate();
  await setPassword(db, generated);
  return generated;
}

async function setPassword(db: FaceDatabase, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new HttpError(400, 'weak-password', `the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  db.setSetting(PASSWORD_KEY, await hashPassword(password));
  db.deleteAllSessions();
}

/** A request from another site (a forged form or script), by the browser's own headers. */
function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

function adminCaller(db: FaceDatabase, request: FastifyRequest): Caller | undefined {
  const id = readCookie(request.headers.cookie, SESSION_COOKIE);
  const session = id === undefined ? undefined : db.session(sha256(id));
  return session && { kind: 'admin', csrf: session.csrf };
}

function cameraCaller(db: FaceDatabase, request: FastifyRequest): Caller | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{16,200})$/.exec(request.headers.authorization ?? '');
  const token = match && db.tokenByHash(sha256(match[1]!));
  return token ? { kind: 'camera', tokenName: token.name } : undefined;
}

/** Refuses state changes without the session's CSRF token, or from another site. */
function checkCsrf(request: FastifyRequest, caller: Caller): void {
  if (caller.kind !== 'admin' || request.method === 'GET' || request.method === 'HEAD') return;
  if (crossSite(request)) throw new HttpError(403, 'cross-site', 'state changes from another site are refused');
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !sameText(sent, caller.csrf)) throw new HttpError(403, 'csrf', 'missing or wrong X-CSRF-Token header');
}

/** Route guard: a signed-in administrator (with a CSRF token on state changes). */
export function requireAdmin(db: FaceDatabase) {
  return async (request: FastifyRequest): Promise<void> => {
    const caller = adminCaller(db, request);
    if (caller === undefined) throw new HttpError(401, 'sign-in', 'sign in first');
    checkCsrf(request, caller);
    request.caller = caller;
  };
}

/** Route guard: a camera token, or a signed-in administrator. */
export function requireAdminOrCamera(db: FaceDatabase) {
  return async (request: FastifyRequest): Promise<void> => {
    const caller = cameraCaller(db, request) ?? adminCaller(db, request);
    if (caller === undefined) throw new HttpError(401, 'sign-in', 'sign in, or send a camera token as Authorization: Bearer <token>');
    checkCsrf(request, caller);
    request.caller = caller;
  };
}

/** Sign-in, sign-out, password change and camera tokens. */
export async function authRoutes(app: FastifyInstance, db: FaceDatabase, limit: SignInLimit): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'too-many-attempts',
      message: `too many sign-in attempts; try again in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
  const admin = requireAdmin(db);

  app.post<{ Body: { password: string } }>(
    '/api/session',
    {
      config: { rateLimit: { max: limit.max, timeWindow: limit.windowMs } },
      schema: { body: { type: 'object', required: ['password'], additionalProperties: false, properties: { password: { type: 'string', maxLength: 1000 } } } },
    },
    async (request, reply: FastifyReply) => {
      if (crossSite(request)) throw new HttpError(403, 'cross-site', 'sign-in from another site is refused');
      const stored = db.setting<string>(PASSWORD_KEY);
      if (stored === undefined || !(await verifyPassword(request.body.password, stored))) throw new HttpError(401, 'wrong-password', 'wrong password');
      const id = randomBytes(32).toString('base64url');
      const csrf = randomBytes(32).toString('base64url');
      db.createSession(sha256(id), csrf, Date.now() + SESSION_SECONDS * 1000);
      void reply.header('set-cookie', sessionCookie(id, SESSION_SECONDS));
      return { csrfToken: csrf };
    },
  );

  app.get('/api/session', { onRequest: admin }, async (request) => ({ csrfToken: (request.caller as { csrf: string }).csrf }));

  app.delete('/api/session', { onRequest: admin }, async (request, reply) => {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id !== undefined) db.deleteSession(sha256(id));
    void reply.header('set-cookie', sessionCookie('', 0));
    return { signedOut: true };
  });

  app.put<{ Body: { current: string; next: string } }>(
    '/api/password',
    {
      onRequest: admin,
      schema: {
        body: { type: 'object', required: ['current', 'next'], additionalProperties: false, properties: { current: { type: 'string', maxLength: 1000 }, next: { type: 'string', maxLength: 1000 } } },
      },
    },
    async (request) => {
      const stored = db.setting<string>(PASSWORD_KEY);
      if (stored === undefined || !(await verifyPassword(request.body.current, stored))) throw new HttpError(403, 'wrong-password', 'the current password is wrong');
      await setPassword(db, request.body.next);
      return { changed: true, signedOut: true };
    },
  );

  app.get('/api/tokens', { onRequest: admin }, async () => ({ tokens: db.tokens() }));

  app.post<{ Body: { name: string } }>(
    '/api/tokens',
    { onRequest: admin, schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 100 } } } } },
    async (request, reply) => {
      const token = randomBytes(32).toString('base64url');
      const row = db.createToken(request.body.name.trim(), sha256(token));
      void reply.code(201);
      return { ...row, token };
    },
  );

  app.delete<{ Params: { id: number } }>('/api/tokens/:id', { onRequest: admin, schema: { params: idParams } }, async (request) => {
    if (!db.deleteToken(request.params.id)) throw new HttpError(404, 'not-found', `no token with id ${request.params.id}`);
    return { deleted: true };
  });
}

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
