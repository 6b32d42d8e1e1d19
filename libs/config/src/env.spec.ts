import { commonEnvSchema, ConfigError, loadEnv, parseBrokerUrls } from './env';

const schema = commonEnvSchema(3001);

describe('loadEnv', () => {
  it('fills in the development defaults', () => {
    expect(loadEnv(schema, {})).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/pbx2fa',
      RABBITMQ_URL: ['amqp://guest:guest@127.0.0.1:5672'],
      RABBITMQ_QUEUE_TYPE: 'classic',
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
    ['NODE_ENV', 'staging'],
    ['RPC_TIMEOUT_MS', '-5'],
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

  it('reads a cluster: the node URLs in the order they are tried', () => {
    expect(loadEnv(schema, { RABBITMQ_URL: 'amqp://u:p@10.0.0.1:5672/v, amqp://u:p@10.0.0.2:5672/v,amqps://u:p@rabbit-3.example:5671/v' }).RABBITMQ_URL).toEqual([
      'amqp://u:p@10.0.0.1:5672/v',
      'amqp://u:p@10.0.0.2:5672/v',
      'amqps://u:p@rabbit-3.example:5671/v',
    ]);
  });
});

describe('parseBrokerUrls', () => {
  it('takes one URL as a list of one', () => {
    expect(parseBrokerUrls('amqp://guest:guest@127.0.0.1:5672')).toEqual({ urls: ['amqp://guest:guest@127.0.0.1:5672'] });
  });

  it('names the entry that is wrong by its place, and never echoes it (it may hold a password)', () => {
    const result = parseBrokerUrls('amqp://u:secret1@a:5672,http://u:secret2@b:5672,amqp://u:secret3@c:5672');
    expect(result).toEqual({ error: 'must be an amqp:// or amqps:// URL, or several separated by commas (entry 2 of 3 is not one)' });
    expect(parseBrokerUrls('amqp://a:5672,')).toEqual({
      error: 'must be an amqp:// or amqps:// URL, or several separated by commas (entry 2 of 2 is empty)',
    });
    expect(parseBrokerUrls('amqp://')).toEqual({ error: 'must be an amqp:// or amqps:// URL, or several separated by commas' });
  });
});
