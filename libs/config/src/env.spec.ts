import { commonEnvSchema, ConfigError, loadEnv } from './env';

const schema = commonEnvSchema(3001);

describe('loadEnv', () => {
  it('fills in the development defaults', () => {
    expect(loadEnv(schema, {})).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/pbx2fa',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
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
    ['RABBITMQ_QUEUE_TYPE', 'stream'],
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
});
