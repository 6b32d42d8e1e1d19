import { DomainError, ErrorCodes, TicketStatuses, type TicketStatus } from '@pbx2fa/contracts';
import { assertTransition, canTransition } from './ticket-transitions';

const legal: ReadonlyArray<[TicketStatus, TicketStatus]> = [
  ['open', 'approved'],
  ['open', 'rejected'],
  ['open', 'closed'],
  ['approved', 'resolved'],
];
const isLegal = (from: TicketStatus, to: TicketStatus) => legal.some(([f, t]) => f === from && t === to);
const everyPair = TicketStatuses.flatMap((from) =>
  TicketStatuses.map((to) => [from, to] as [TicketStatus, TicketStatus]),
);

describe('ticket transitions', () => {
  it.each(legal)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(everyPair.filter(([from, to]) => !isLegal(from, to)))(
    'refuses %s → %s with 409 invalid_transition',
    (from, to) => {
      expect(canTransition(from, to)).toBe(false);
      let thrown: unknown;
      try {
        assertTransition(from, to);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect((thrown as DomainError).statusCode).toBe(409);
      expect((thrown as DomainError).code).toBe(ErrorCodes.InvalidTransition);
      expect((thrown as DomainError).message).toContain(`This ticket is ${from}`);
    },
  );

  it('allows exactly the four legal changes among every pair of the contract’s statuses', () => {
    expect(everyPair.filter(([from, to]) => canTransition(from, to))).toEqual(legal);
  });

  it('explains which status the change needs', () => {
    expect(() => assertTransition('approved', 'approved')).toThrow(
      'This ticket is approved; only an open ticket can be approved.',
    );
    expect(() => assertTransition('open', 'resolved')).toThrow(
      'This ticket is open; only an approved ticket can be resolved.',
    );
    expect(() => assertTransition('closed', 'open')).toThrow('This ticket is closed; no ticket can become open again.');
    expect(() => assertTransition('rejected', 'closed')).toThrow(
      'This ticket is rejected; only an open ticket can be closed.',
    );
  });
});
