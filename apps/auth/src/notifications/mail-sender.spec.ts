import { classifySendFailure } from './mail-sender';

const error = (fields: Record<string, unknown>) => Object.assign(new Error('smtp'), fields);

describe('classifySendFailure', () => {
  it.each([
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550 }, 'rejected'],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 554 }, 'rejected'],
    [{ code: 'EENVELOPE', command: 'API' }, 'rejected'],
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 452 }, 'deferred'],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 451 }, 'deferred'],
    [{ code: 'ESOCKET', command: 'CONN' }, 'unreachable'],
    [{ code: 'ETIMEDOUT', command: 'CONN' }, 'unreachable'],
    [{ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535 }, 'unreachable'],
    [{ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553 }, 'unreachable'],
    [{}, 'unreachable'],
  ])('reads %o as %s', (fields, expected) => {
    expect(classifySendFailure(error(fields))).toBe(expected);
  });
});
