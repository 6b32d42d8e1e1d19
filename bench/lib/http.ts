import { Agent, request } from 'node:http';

/**
 * A lean JSON client over node:http with keep-alive connections: the load generator runs on the
 * same machine as the services, so every microsecond it spends is taken from them.
 */
export interface Reply<T = any> {
  status: number;
  body: T;
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    maxSockets = 256,
    private readonly token?: string,
    agent?: Agent,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = agent ?? new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** The same connections, sending `Authorization: Bearer <token>`. */
  as(token: string): HttpClient {
    return new HttpClient(`http://${this.host}:${this.port}`, 0, token, this.agent);
  }

  get<T = any>(path: string): Promise<Reply<T>> {
    return this.send<T>('GET', path);
  }

  post<T = any>(path: string, body: unknown = {}): Promise<Reply<T>> {
    return this.send<T>('POST', path, JSON.stringify(body));
  }

  send<T = any>(method: string, path: string, payload?: string): Promise<Reply<T>> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (text && (res.headers['content-type'] ?? '').includes('json')) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, body: body as T });
        });
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Throws unless the reply has the expected status; returns its body. */
export function expectStatus<T>(reply: Reply<T>, status: number, what: string): T {
  if (reply.status !== status) throw new Error(`${what} answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  return reply.body;
}
