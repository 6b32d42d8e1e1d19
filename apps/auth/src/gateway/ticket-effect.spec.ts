import { ticketEffect } from './ticket-effect';

const now = new Date('2026-12-03T12:00:00.000Z');
const open = (type: string, graceDays: number | null = null) => ({ type, status: 'open', graceDays }) as never;

describe('what approving a ticket would change', () => {
  it("names the reseller's current and requested mode of an open 2FA ticket", () => {
    expect(ticketEffect(open('enable_2fa'), 'off', now)).toEqual({
      currentMode: 'off',
      requestedMode: 'optional',
      enrollBy: null,
      changes: true,
    });
    expect(ticketEffect(open('disable_2fa'), 'required', now)).toMatchObject({ requestedMode: 'off', changes: true });
  });

  it('gives require_2fa the deadline it would set if approved now', () => {
    expect(ticketEffect(open('require_2fa', 14), 'optional', now)).toEqual({
      currentMode: 'optional',
      requestedMode: 'required',
      enrollBy: '2026-12-17T12:00:00.000Z',
      changes: true,
    });
  });

  it('says when approving would leave the mode as it is', () => {
    expect(ticketEffect(open('enable_2fa'), 'optional', now)?.changes).toBe(false);
    expect(ticketEffect(open('require_2fa', 0), 'required', now)?.changes).toBe(true);
  });

  it('has none for other tickets or decided ones', () => {
    expect(ticketEffect(open('general'), 'off', now)).toBeNull();
    expect(ticketEffect(open('reset_user_2fa'), 'optional', now)).toBeNull();
    expect(ticketEffect({ type: 'enable_2fa', status: 'approved', graceDays: null } as never, 'off', now)).toBeNull();
  });
});
