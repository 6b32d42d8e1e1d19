import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Services, type ServiceName } from '@pbx2fa/contracts';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/pbx2fa';
export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();

export const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/[^/]+\/[A-Za-z0-9_-]+(\?.*)?$/.test(value), {
    message: 'must be a postgres:// URL that names a database',
  });
const AMQP_URL = /^amqps?:\/\/[^\s,]+$/;

/**
 * RABBITMQ_URL: one node's URL, or a cluster's nodes comma-separated, which every connection
 * tries in turn (first the first, the next one whenever a connection fails or drops). A comma
 * inside a password is written `%2C`. A bad entry is named by its place, never echoed: it may
 * hold a password.
 */
export function parseBrokerUrls(value: string): { urls: string[] } | { error: string } {
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.findIndex((entry) => !AMQP_URL.test(entry) || !URL.canParse(entry));
  if (bad === -1) {
    // A service is one user on the broker: what it publishes carries that user (README, "RabbitMQ users").
    if (new Set(entries.map(brokerUserOf)).size > 1) return { error: 'must name the same user on every node' };
    return { urls: entries };
  }
  const expected = 'must be an amqp:// or amqps:// URL, or several separated by commas';
  if (entries.length === 1) return { error: expected };
  return {
    error: `${expected} (entry ${bad + 1} of ${entries.length} is ${entries[bad] === '' ? 'empty' : 'not one'})`,
  };
}

/** The user a broker URL connects as (guest when it names none, as RabbitMQ clients do). */
export function brokerUserOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || 'guest';
}

/**
 * RABBITMQ_SERVICE_USERS: `auth=pbx2fa-auth,tickets=pbx2fa-tickets,reseller-settings=…`, the
 * RabbitMQ user of each service, every one named. Consumers refuse an event whose publisher is
 * not the user of the service the contract names for it.
 */
const serviceUsers = z.string().transform((value, context) => {
  const users: Partial<Record<ServiceName, string>> = {};
  for (const entry of value.split(',').map((part) => part.trim())) {
    const [service, user, ...rest] = entry.split('=').map((part) => part.trim());
    if (!Services.includes(service as ServiceName) || !user || rest.length > 0 || service in users) {
      context.addIssue({
        code: 'custom',
        message: `must be ${Services.map((name) => `${name}=<user>`).join(',')} (each service once)`,
      });
      return z.NEVER;
    }
    users[service as ServiceName] = user;
  }
  const missing = Services.filter((service) => !users[service]);
  if (missing.length > 0) {
    context.addIssue({ code: 'custom', message: `names no user for ${missing.join(', ')}` });
    return z.NEVER;
  }
  return users as Record<ServiceName, string>;
});

const brokerUrls = z.string().transform((value, context) => {
  const parsed = parseBrokerUrls(value);
  if ('error' in parsed) {
    context.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return parsed.urls;
});

/** What every service reads: where its database and broker are, and how it talks to them. */
/** `defaultPort` 3000, 3001, 3002 gives the management ports 9000, 9001, 9002. */
export function commonEnvSchema(defaultPort: number, defaultManagementPort = defaultPort + 6000) {
  return z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(defaultPort),
    MANAGEMENT_PORT: port.default(defaultManagementPort),
    DATABASE_URL: postgresUrl.default(DEFAULT_DATABASE_URL),
    /** The broker's node URLs, in the order they are tried. */
    RABBITMQ_URL: brokerUrls.prefault(DEFAULT_RABBITMQ_URL),
    RABBITMQ_QUEUE_TYPE: z.enum(['classic', 'quorum']).default('classic'),
    /** Unset: every service connects as the user of this one's RABBITMQ_URL (development: guest). */
    RABBITMQ_SERVICE_USERS: serviceUsers.optional(),
    RPC_TIMEOUT_MS: positiveMs.default(4500),
    OUTBOX_POLL_MS: positiveMs.default(500),
    CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    // Rows past their use are removed on this schedule (README, "Retention").
    RETENTION_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
    // At least a day: a redelivery must always meet the event id it repeats.
    INBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Put into DATABASE_URL / RABBITMQ_URL, so the URLs themselves need hold no secret (see *_FILE).
    DATABASE_PASSWORD: z.string().min(1).optional(),
    RABBITMQ_PASSWORD: z.string().min(1).optional(),
  });
}

/** Secrets every service may read from a file: `DATABASE_PASSWORD_FILE=/run/secrets/…`. */
const COMMON_SECRETS = ['DATABASE_PASSWORD', 'RABBITMQ_PASSWORD'] as const;

export type CommonEnv = z.infer<ReturnType<typeof commonEnvSchema>>;

/** Each service's RabbitMQ user: RABBITMQ_SERVICE_USERS, or when unset this service's own user for all three. */
export function serviceUsersOf(config: Pick<CommonEnv, 'RABBITMQ_URL' | 'RABBITMQ_SERVICE_USERS'>) {
  if (config.RABBITMQ_SERVICE_USERS) return config.RABBITMQ_SERVICE_USERS;
  const shared = brokerUserOf(config.RABBITMQ_URL[0]);
  return Object.fromEntries(Services.map((service) => [service, shared])) as Record<ServiceName, string>;
}

/** Thrown for a bad environment; `main.ts` prints its one line and exits. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once into a typed object. Empty strings count as unset, so a compose
 * file's `FOO=` falls back to the default instead of failing a format check. Each secret named
 * (and the common ones) may instead come from a file, `<NAME>_FILE` (Docker and Kubernetes
 * secrets): its content, trimmed, is the value; giving both is an error. A database or broker
 * password given on its own goes into the URL.
 */
export function loadEnv<S extends z.ZodTypeAny>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
  secrets: readonly string[] = [],
): z.infer<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const result = schema.safeParse(readSecretFiles(cleaned, [...COMMON_SECRETS, ...secrets]));
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue.path.join('.') || 'environment';
    throw new ConfigError(variable, issue.message);
  }
  return withPasswordsInUrls(result.data);
}

function readSecretFiles(env: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  const read = { ...env };
  for (const name of secrets) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(`${name}_FILE`, `and ${name} are both set: give the secret one way`);
    let content: string;
    try {
      content = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(
        `${name}_FILE`,
        `names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}: ${file})`,
      );
    }
    if (!content) throw new ConfigError(`${name}_FILE`, `names an empty file (${file})`);
    read[name] = content;
    delete read[`${name}_FILE`];
  }
  return read;
}

/** Sets a URL's password; its user stays. */
export function withPassword(entry: string, password: string): string {
  const url = new URL(entry);
  url.password = password;
  return url.toString();
}

function withPasswordsInUrls<T>(config: T): T {
  const { DATABASE_URL, DATABASE_PASSWORD, RABBITMQ_URL, RABBITMQ_PASSWORD } = config as Record<string, unknown>;
  const patched: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  if (typeof DATABASE_URL === 'string' && typeof DATABASE_PASSWORD === 'string')
    patched.DATABASE_URL = withPassword(DATABASE_URL, DATABASE_PASSWORD);
  if (Array.isArray(RABBITMQ_URL) && typeof RABBITMQ_PASSWORD === 'string') {
    patched.RABBITMQ_URL = RABBITMQ_URL.map((url: string) => withPassword(url, RABBITMQ_PASSWORD));
  }
  return patched as T;
}

/** Starts a service's bootstrap, turning a configuration error into one clear line and exit 1. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
