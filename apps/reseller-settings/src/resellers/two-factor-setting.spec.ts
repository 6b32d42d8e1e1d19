import type { TicketTwoFactorApprovedPayload } from '@pbx2fa/contracts';
import { settingFor } from './two-factor-setting';

const approval = (overrides: Partial<TicketTwoFactorApprovedPayload>): TicketTwoFactorApprovedPayload => ({
  ticketId: '0b7e4a52-3c1d-4c8e-9a57-2f7d1c0e9b11',
  resellerId: 'acme',
  action: 'enable',
  approvedBy: 'agent-smith',
  approvedAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});
const arrived = new Date('2026-12-03T08:00:00.000Z');

describe('the 2FA setting an approval asks for', () => {
  it('makes enable optional and disable off, with no deadline', () => {
    expect(settingFor(approval({ action: 'enable' }), arrived)).toEqual({ mode: 'optional', enrollBy: null });
    expect(settingFor(approval({ action: 'disable' }), arrived)).toEqual({ mode: 'off', enrollBy: null });
  });

  it('counts the grace days of require from the approval, however late it arrives', () => {
    expect(settingFor(approval({ action: 'require', graceDays: 7 }), arrived)).toEqual({
      mode: 'required',
      enrollBy: new Date('2026-12-08T10:00:00.000Z'),
    });
  });

  it('makes 0 grace days a deadline already reached', () => {
    expect(settingFor(approval({ action: 'require', graceDays: 0 }), arrived).enrollBy).toEqual(
      new Date('2026-12-01T10:00:00.000Z'),
    );
  });

  it('counts from arrival for an approval that carries no time', () => {
    expect(settingFor(approval({ action: 'require', graceDays: 1, approvedAt: undefined }), arrived).enrollBy).toEqual(
      new Date('2026-12-04T08:00:00.000Z'),
    );
  });
});
