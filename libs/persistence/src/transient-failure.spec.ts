import { QueryFailedError } from 'typeorm';
import { isTransientFailure } from './transient-failure';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isTransientFailure', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a connection exception (class 08)', withCode('08006')],
    [
      'an administrator shutting the server down',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server still starting up', withCode('57P03', 'the database system is starting up')],
    ['a serialization failure', withCode('40001')],
    ['a deadlock', withCode('40P01')],
    ['a connection that ended mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
  ])('takes %s as transient', (_, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it('looks inside TypeORM’s QueryFailedError and Node’s AggregateError', () => {
    expect(isTransientFailure(new QueryFailedError('SELECT 1', [], withCode('57P01')))).toBe(true);
    expect(
      isTransientFailure(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed')),
    ).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value')],
    ['a syntax error', withCode('42601')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a rule broken in the data', new Error('approval names unknown reseller acme')],
    ['nothing', undefined],
  ])('takes %s as permanent', (_, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });

  it('does not loop on an error that is its own cause', () => {
    const error = new Error('odd') as Error & { cause?: unknown };
    error.cause = error;
    expect(isTransientFailure(error)).toBe(false);
  });
});
