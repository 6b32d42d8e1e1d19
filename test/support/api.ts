import { randomBytes } from 'node:crypto';
import type { Role } from '@pbx2fa/contracts';
import type { Stack } from './stack';
import { Authenticator, awayFromStepEdge, passcodeForStep, stepAt } from './totp';

/** A JSON answer as a client reads it: tests take what they assert from it, and the assertion checks its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests' assertions, not the compiler, check answers
export type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  /** Parsed JSON when the answer is JSON, the text otherwise, null when empty. */
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
}

export interface RawRequest {
  method: string;
  path: string;
  /** Sent as is: for malformed JSON, odd content types and oversized bodies. */
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** Every 5xx any client saw; a 5xx is always a bug, so specs check this stays empty. */
const serverErrors: string[] = [];

/** Returns and forgets the 5xx answers seen since the last call. */
export function takeServerErrors(): string[] {
  return serverErrors.splice(0, serverErrors.length);
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  /** The same client, sending `Authorization: Bearer <token>`. */
  as(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  /** The same client without credentials. */
  anonymous(): ApiClient {
    return new ApiClient(this.baseUrl);
  }

  get<T = Json>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, undefined, options);
  }

  post<T = Json>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, body, options);
  }

  put<T = Json>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, body, options);
  }

  patch<T = Json>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, body, options);
  }

  delete<T = Json>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, undefined, options);
  }

  request<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const query = Object.entries(options.query ?? {}).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    );
    const search = query.length
      ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
      : '';
    return this.raw<T>({
      method,
      path: `${path}${search}`,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    });
  }

  async raw<T = Json>({ method, path, body, headers = {} }: RawRequest): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      body,
      headers: {
        accept: 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      signal: AbortSignal.timeout(30_000),
    });
    const parsed = (await parse(response)) as T;
    if (response.status >= 500) serverErrors.push(`${method} ${path} → ${response.status} ${JSON.stringify(parsed)}`);
    return { status: response.status, body: parsed, headers: response.headers };
  }
}

export function api(baseUrl: string): ApiClient {
  return new ApiClient(baseUrl);
}

/** The phone of a user `login()` enrolled: its authenticator and the recovery codes not used yet. */
export interface RememberedFactor {
  authenticator: Authenticator;
  recoveryCodes: string[];
}

/**
 * Agents must set up a second factor at their first sign-in. `login()` does it for them, as
 * someone with Google Authenticator would, and keeps the phone here, by gateway and username,
 * so their later sign-ins can answer the passcode. (Module state: one per test file.)
 */
const rememberedFactors = new Map<string, RememberedFactor>();
const factorKey = (baseUrl: string, username: string) => `${baseUrl} ${username.toLowerCase()}`;

/** The second factor `login()` set up for this user at this gateway, if it did. */
export function rememberedFactor(baseUrl: string, username: string): RememberedFactor | undefined {
  return rememberedFactors.get(factorKey(baseUrl, username));
}

/**
 * Signs in with a password and returns the access token; fails loudly unless the sign-in
 * completes. An `enrollment_required` answer is met by setting up Google Authenticator with the
 * enrollment token (see `rememberedFactors`); a `two_factor_required` one, for a user enrolled that
 * way, by a passcode — or, when both passcodes the clock allows now were used, a recovery code.
 */
export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await api(baseUrl).post('/auth/login', { username, password });
  const answer = response.status === 200 ? response.body : null;
  if (answer?.status === 'authenticated' && typeof answer.accessToken === 'string') return answer.accessToken;
  if (answer?.status === 'enrollment_required')
    return enrollAtSignIn(api(baseUrl).as(answer.enrollmentToken), username, password);
  const remembered = rememberedFactor(baseUrl, username);
  if (answer?.status === 'two_factor_required' && remembered)
    return answerChallenge(api(baseUrl), answer.challengeToken, remembered);
  throw new Error(`login as ${username} answered ${response.status} ${JSON.stringify(response.body)}`);
}

/**
 * Set-up and activation with an enrollment token. The passcode of the previous step activates
 * (one step of drift), so the current and the next step are left for the next two sign-ins.
 */
async function enrollAtSignIn(enrolling: ApiClient, username: string, password: string): Promise<string> {
  const setup = await enrolling.post('/auth/2fa/setup', {});
  if (setup.status !== 201)
    throw new Error(`set-up for ${username} answered ${setup.status} ${JSON.stringify(setup.body)}`);
  await awayFromStepEdge();
  const step = stepAt() - 1;
  const activated = await enrolling.post('/auth/2fa/activate', {
    passcode: passcodeForStep(setup.body.secret, step),
    currentPassword: password,
  });
  if (activated.status !== 200 || typeof activated.body?.accessToken !== 'string') {
    throw new Error(`activation for ${username} answered ${activated.status} ${JSON.stringify(activated.body)}`);
  }
  rememberedFactors.set(factorKey(enrolling.baseUrl, username), {
    authenticator: new Authenticator(setup.body.secret, step),
    recoveryCodes: [...activated.body.recoveryCodes],
  });
  return activated.body.accessToken;
}

async function answerChallenge(anon: ApiClient, challengeToken: string, factor: RememberedFactor): Promise<string> {
  // A step's passcode is accepted once: rather than wait for the clock, spend a recovery code.
  const passcodeWouldWait = factor.authenticator.lastUsedStep > stepAt() && factor.recoveryCodes.length > 0;
  const proof = passcodeWouldWait
    ? { recoveryCode: factor.recoveryCodes.shift() }
    : { passcode: await factor.authenticator.freshPasscode() };
  const response = await anon.post('/auth/login/verify', { challengeToken, ...proof });
  if (response.status !== 200 || typeof response.body?.accessToken !== 'string') {
    throw new Error(`the second step of a sign-in answered ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.accessToken;
}

interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Retries `fn` until it stops throwing (so it may hold `expect`s) and returns its value; after
 * `timeoutMs` the last failure is thrown. For effects that travel through the broker.
 */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 100 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() >= deadline) {
        if (error instanceof Error) error.message = `still failing after ${timeoutMs} ms: ${error.message}`;
        throw error;
      }
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

/** A short random suffix that keeps ids and usernames unique across calls and stacks. */
export function unique(): string {
  return randomBytes(4).toString('hex');
}

/** A password any sensible policy accepts. */
export function strongPassword(): string {
  return `Pbx-${randomBytes(9).toString('base64url')}-7q!`;
}

export interface ResellerView {
  id: string;
  name: string;
  twoFactorEnabled: boolean;
  version: number;
  updatedAt?: string;
}

export interface CreatedUser {
  id: string;
  username: string;
  resellerId: string | null;
  role: Role;
  email?: string | null;
  /** Kept so the test can sign in as this user. */
  password: string;
}

export interface SignedInUser extends CreatedUser {
  token: string;
  /** The gateway client, signed in as this user. */
  client: ApiClient;
}

export interface UserOverrides {
  username?: string;
  password?: string;
  resellerId?: string | null;
  role?: Role;
  /** Where security mail goes; none by default. */
  email?: string;
}

/**
 * Builds test data through the API, as the bootstrap agent unless `by` says otherwise, so a
 * test states only what matters to it: `factory.user({ resellerId, role: 'reseller_admin' })`.
 */
export class Factory {
  constructor(private readonly by: ApiClient) {}

  /** The same factory, creating as someone else (e.g. a reseller admin). */
  as(client: ApiClient): Factory {
    return new Factory(client);
  }

  async reseller(overrides: Partial<{ id: string; name: string }> = {}): Promise<ResellerView> {
    const suffix = unique();
    const body = { id: `reseller-${suffix}`, name: `Reseller ${suffix}`, ...overrides };
    const response = await this.by.post('/resellers', body);
    if (response.status !== 201)
      throw new Error(`POST /resellers answered ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** A user; a reseller_user of a new reseller unless told otherwise. Agents get no reseller. */
  async user(overrides: UserOverrides = {}): Promise<CreatedUser> {
    const role = overrides.role ?? 'reseller_user';
    const resellerId =
      'resellerId' in overrides ? overrides.resellerId : role === 'agent' ? undefined : (await this.reseller()).id;
    const body = {
      username: overrides.username ?? `user-${unique()}`,
      password: overrides.password ?? strongPassword(),
      role,
      ...(resellerId === undefined ? {} : { resellerId }),
      ...(overrides.email === undefined ? {} : { email: overrides.email }),
    };
    const response = await this.by.post('/users', body);
    if (response.status !== 201)
      throw new Error(`POST /users answered ${response.status} ${JSON.stringify(response.body)}`);
    return { ...response.body, password: body.password };
  }

  /** A user, signed in with a password. */
  async signedInUser(overrides: UserOverrides = {}): Promise<SignedInUser> {
    const user = await this.user(overrides);
    const token = await login(this.by.baseUrl, user.username, user.password);
    return { ...user, token, client: this.by.anonymous().as(token) };
  }
}

export interface Gateway {
  /** No credentials. */
  anon: ApiClient;
  /** Signed in as the bootstrap agent. */
  agent: ApiClient;
  agentToken: string;
  factory: Factory;
  login(username: string, password: string): Promise<string>;
}

/** Signs the bootstrap agent in to a started stack's gateway. */
export async function connect(stack: Stack): Promise<Gateway> {
  const agentToken = await login(stack.authUrl, stack.agent.username, stack.agent.password);
  const agent = api(stack.authUrl).as(agentToken);
  return {
    anon: api(stack.authUrl),
    agent,
    agentToken,
    factory: new Factory(agent),
    login: (username, password) => login(stack.authUrl, username, password),
  };
}

/** Checks the contract's error body: exactly `{statusCode, error, message}`, matching the status. */
export function expectError(response: ApiResponse, status: number, error?: string): void {
  const context = `${status}${error ? ` ${error}` : ''} expected, got ${response.status} ${JSON.stringify(response.body)}`;
  if (response.status !== status) throw new Error(context);
  expect(response.body).toEqual({
    statusCode: status,
    error: error ?? expect.any(String),
    message: expect.any(String),
  });
  expect(response.body.error.length).toBeGreaterThan(0);
  expect(response.body.message.length).toBeGreaterThan(0);
}
