import { Pool } from 'undici';
import type { Json } from '../../test/support/api';

/**
 * A lean JSON client over undici's connection pool (keep-alive). The load generator runs on the
 * same machine as the services, so every microsecond it spends is taken from them: undici costs
 * about a third of what node:http does per request here (see the README's Performance section).
 */
export interface Reply<T = Json> {
  status: number;
  body: T;
}

export class HttpClient {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    connections = 256,
    private readonly token?: string,
    pool?: Pool,
    private readonly extraHeaders: Record<string, string> = {},
  ) {
    this.pool =
      pool ??
      new Pool(new URL(baseUrl).origin, {
        connections,
        keepAliveTimeout: 60_000,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
  }

  /** The same connections, sending `Authorization: Bearer <token>`. */
  as(token: string): HttpClient {
    return new HttpClient('http://unused', 0, token, this.pool, this.extraHeaders);
  }

  /** The same connections, sending these headers too (e.g. X-Forwarded-For: a client address of its own). */
  with(headers: Record<string, string>): HttpClient {
    return new HttpClient('http://unused', 0, this.token, this.pool, { ...this.extraHeaders, ...headers });
  }

  get<T = Json>(path: string): Promise<Reply<T>> {
    return this.send<T>('GET', path);
  }

  post<T = Json>(path: string, body: unknown = {}): Promise<Reply<T>> {
    return this.send<T>('POST', path, JSON.stringify(body));
  }

  async send<T = Json>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: string): Promise<Reply<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.extraHeaders };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await this.pool.request({ method, path, headers, body: payload });
    const text = await response.body.text();
    let body: unknown = text;
    if (text && String(response.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: response.statusCode, body: body as T };
  }

  close(): void {
    void this.pool.close();
  }
}

/** Throws unless the reply has the expected status; returns its body. */
export function expectStatus<T>(reply: Reply<T>, status: number, what: string): T {
  if (reply.status !== status)
    throw new Error(`${what} answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  return reply.body;
}
