/** A small HTTP client for the service tests: signs in, keeps the cookie, sends the CSRF token. */
import { readCookie, SESSION_COOKIE } from '../../../../src/apps/faces/service/cookies.js';

export interface RequestOptions {
  readonly json?: unknown;
  readonly form?: FormData;
  readonly headers?: Record<string, string>;
  /** Leave out the session cookie and CSRF token. */
  readonly anonymous?: boolean;
  /** Leave out only the CSRF token. */
  readonly noCsrf?: boolean;
}

export class ServiceClient {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly url: string) {}

  async signIn(password: string): Promise<Response> {
    const response = await this.request('POST', '/api/session', { json: { password }, anonymous: true });
    if (response.ok) {
      this.cookie = readCookie(response.headers.get('set-cookie') ?? '', SESSION_COOKIE);
      this.csrf = ((await response.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return response;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (!options.anonymous && this.cookie !== undefined) headers['cookie'] = `${SESSION_COOKIE}=${this.cookie}`;
    if (!options.anonymous && !options.noCsrf && this.csrf !== undefined) headers['x-csrf-token'] = this.csrf;
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else body = options.form;
    return fetch(this.url + path, { method, headers, body });
  }

  /** The JSON of a request that must succeed. */
  async ok<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

/** A multipart form with text fields and photographs (named as a browser would; the service ignores names). */
export function photoForm(fields: Record<string, string>, photos: readonly Uint8Array[], fileName = 'photo.jpg'): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const photo of photos) form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), fileName);
  return form;
}
