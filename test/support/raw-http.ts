import { request } from 'node:http';
import type { Json } from './api';

export interface RawHttpOptions {
  method?: string;
  /** JSON-encoded when given. */
  json?: unknown;
  /** Sent as is, `Host` included (fetch() silently replaces a Host header; node:http does not). */
  headers?: Record<string, string>;
  /** The client address the server sees, e.g. `127.0.0.2`: any 127.0.0.0/8 address works on loopback. */
  localAddress?: string;
}

export interface RawHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
}

/**
 * One HTTP request over node:http, for what fetch() cannot do: choose the Host header and the
 * client's own address (the throttle counts wrong passwords per username and client address).
 */
export function rawHttp(
  url: string,
  { method = 'GET', json, headers = {}, localAddress }: RawHttpOptions = {},
): Promise<RawHttpResponse> {
  const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        localAddress,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...headers,
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text || null;
          if ((res.headers['content-type'] ?? '').includes('json') && text) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
