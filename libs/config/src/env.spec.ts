import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { commonEnvSchema, ConfigError, loadEnv, parseBrokerUrls, serviceUsersOf } from './env';

const schema = commonEnvSchema(3001);

describe('loadEnv', () => {
  it('fills in the development defaults', () => {
    expect(loadEnv(schema, {})).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/pbx2fa',
      RABBITMQ_URL: ['amqp://guest:guest@127.0.0.1:5672'],
      RABBITMQ_QUEUE_TYPE: 'classic',
      RETENTION_INTERVAL_SECONDS: 300,
      RETENTION_BATCH_SIZE: 1000,
      INBOX_RETENTION_DAYS: 30,
      OUTBOX_RETENTION_DAYS: 7,
    });
  });

  it('treats an empty value as unset, as a compose file writes it', () => {
    expect(loadEnv(schema, { PORT: '' }).PORT).toBe(3001);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['DATABASE_URL', 'postgres://localhost'],
    ['RABBITMQ_URL', 'http://localhost'],
    ['RABBITMQ_URL', 'amqp://a:5672,http://b:5672'],
    ['RABBITMQ_URL', 'amqp://a:5672,,amqp://c:5672'],
    ['RABBITMQ_URL', 'amqp://a:5672 amqp://b:5672'],
    ['RABBITMQ_QUEUE_TYPE', 'stream'],
    ['RABBITMQ_URL', 'amqp://a:p@one:5672,amqp://b:p@two:5672'],
    ['RABBITMQ_SERVICE_USERS', 'auth=a,tickets=t'],
    ['RABBITMQ_SERVICE_USERS', 'auth=a,tickets=t,reseller-settings=r,auth=b'],
    ['RABBITMQ_SERVICE_USERS', 'auth=a,tickets=t,billing=b'],
    ['RABBITMQ_SERVICE_USERS', 'auth=a,tickets=,reseller-settings=r'],
    ['NODE_ENV', 'staging'],
    ['RPC_TIMEOUT_MS', '-5'],
    ['RETENTION_INTERVAL_SECONDS', '0'],
    ['RETENTION_BATCH_SIZE', '1.5'],
    // A redelivery must always meet the inbox entry of the event it repeats.
    ['INBOX_RETENTION_DAYS', '0'],
    ['OUTBOX_RETENTION_DAYS', '-1'],
  ])('refuses %s=%s with one line naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadEnv(schema, { [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect((error as ConfigError).message).not.toContain('\n');
  });

  describe('secrets from files (*_FILE)', () => {
    const withApiKey = schema.extend({ API_KEY: z.string().optional() });
    const dir = mkdtempSync(join(tmpdir(), 'pbx2fa-env-'));
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    const refusal = (env: Record<string, string>, secrets: string[] = []) => {
      try {
        loadEnv(withApiKey, env, secrets);
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('expected a configuration error');
    };

    it('reads a secret from its file, trimmed, and puts a database or broker password into the URL', () => {
      const config = loadEnv(schema, {
        DATABASE_PASSWORD_FILE: file('db', 's3cret/with:odd@chars\n'),
        RABBITMQ_PASSWORD_FILE: file('mq', '  broker-pw  \n'),
        DATABASE_URL: 'postgres://pbx2fa@db.internal:5432/pbx2fa',
        RABBITMQ_URL: 'amqp://pbx2fa@mq-a:5672,amqp://pbx2fa@mq-b:5672',
      });
      expect(new URL(config.DATABASE_URL).password).toBe(encodeURIComponent('s3cret/with:odd@chars'));
      expect(decodeURIComponent(new URL(config.DATABASE_URL).password)).toBe('s3cret/with:odd@chars');
      expect(config.DATABASE_URL).toMatch(/^postgres:\/\/pbx2fa:[^@]+@db\.internal:5432\/pbx2fa$/);
      expect(config.RABBITMQ_URL).toEqual(['amqp://pbx2fa:broker-pw@mq-a:5672', 'amqp://pbx2fa:broker-pw@mq-b:5672']);
    });

    it('reads the secrets a service names, and only those', () => {
      const path = file('key', 'debug\n');
      expect((loadEnv(withApiKey, { API_KEY_FILE: path }, ['API_KEY']) as { API_KEY?: string }).API_KEY).toBe('debug');
      expect((loadEnv(withApiKey, { API_KEY_FILE: path }) as { API_KEY?: string }).API_KEY).toBeUndefined();
    });

    it('refuses a secret given both ways, naming the variable', () => {
      const error = refusal({ DATABASE_PASSWORD: 'inline', DATABASE_PASSWORD_FILE: file('both', 'from-file') });
      expect(error.message).toBe(
        'Invalid configuration: DATABASE_PASSWORD_FILE and DATABASE_PASSWORD are both set: give the secret one way',
      );
    });

    it('refuses a missing or empty file without showing any content', () => {
      expect(refusal({ RABBITMQ_PASSWORD_FILE: join(dir, 'missing') }).message).toMatch(
        /^Invalid configuration: RABBITMQ_PASSWORD_FILE names a file that cannot be read \(ENOENT/,
      );
      expect(refusal({ RABBITMQ_PASSWORD_FILE: file('empty', '  \n') }).message).toMatch(
        /^Invalid configuration: RABBITMQ_PASSWORD_FILE names an empty file/,
      );
    });
  });

  it('reads a cluster: the node URLs in the order they are tried', () => {
    expect(
      loadEnv(schema, {
        RABBITMQ_URL: 'amqp://u:p@10.0.0.1:5672/v, amqp://u:p@10.0.0.2:5672/v,amqps://u:p@rabbit-3.example:5671/v',
      }).RABBITMQ_URL,
    ).toEqual(['amqp://u:p@10.0.0.1:5672/v', 'amqp://u:p@10.0.0.2:5672/v', 'amqps://u:p@rabbit-3.example:5671/v']);
  });
});

describe('parseBrokerUrls', () => {
  it('takes one URL as a list of one', () => {
    expect(parseBrokerUrls('amqp://guest:guest@127.0.0.1:5672')).toEqual({
      urls: ['amqp://guest:guest@127.0.0.1:5672'],
    });
  });

  it('names the entry that is wrong by its place, and never echoes it (it may hold a password)', () => {
    const result = parseBrokerUrls('amqp://u:secret1@a:5672,http://u:secret2@b:5672,amqp://u:secret3@c:5672');
    expect(result).toEqual({
      error: 'must be an amqp:// or amqps:// URL, or several separated by commas (entry 2 of 3 is not one)',
    });
    expect(parseBrokerUrls('amqp://a:5672,')).toEqual({
      error: 'must be an amqp:// or amqps:// URL, or several separated by commas (entry 2 of 2 is empty)',
    });
    expect(parseBrokerUrls('amqp://')).toEqual({
      error: 'must be an amqp:// or amqps:// URL, or several separated by commas',
    });
  });

  it('refuses a cluster whose nodes name different users: a service is one user on the broker', () => {
    expect(parseBrokerUrls('amqp://a:p@one:5672,amqp://b:p@two:5672')).toEqual({
      error: 'must name the same user on every node',
    });
  });
});

describe("each service's broker user", () => {
  it('is the one user of RABBITMQ_URL for all three when RABBITMQ_SERVICE_USERS is unset (development: guest)', () => {
    expect(serviceUsersOf(loadEnv(schema, {}))).toEqual({
      auth: 'guest',
      tickets: 'guest',
      'reseller-settings': 'guest',
    });
    const config = loadEnv(schema, { RABBITMQ_URL: 'amqp://ops%40pbx:pw@rabbit:5672' });
    expect(serviceUsersOf(config)).toEqual({ auth: 'ops@pbx', tickets: 'ops@pbx', 'reseller-settings': 'ops@pbx' });
  });

  it('is read from RABBITMQ_SERVICE_USERS, every service named once', () => {
    const config = loadEnv(schema, {
      RABBITMQ_URL: 'amqp://pbx2fa-tickets:pw@rabbit:5672',
      RABBITMQ_SERVICE_USERS: ' auth=pbx2fa-auth, tickets=pbx2fa-tickets,reseller-settings=pbx2fa-reseller-settings',
    });
    expect(serviceUsersOf(config)).toEqual({
      auth: 'pbx2fa-auth',
      tickets: 'pbx2fa-tickets',
      'reseller-settings': 'pbx2fa-reseller-settings',
    });
  });

  it('says which service has no user', () => {
    expect(() => loadEnv(schema, { RABBITMQ_SERVICE_USERS: 'auth=a,tickets=t' })).toThrow(
      'Invalid configuration: RABBITMQ_SERVICE_USERS names no user for reseller-settings',
    );
  });
});
