import { Events } from './events';
import { EventPayloadSchemas } from './event-schemas';

const ticketId = '0b7e4a52-3c1d-4c8e-9a57-2f7d1c0e9b11';
const approval = (fields: Record<string, unknown>) =>
  EventPayloadSchemas[Events.TicketTwoFactorApproved].safeParse({
    ticketId,
    resellerId: 'acme',
    approvedBy: 'agent-smith',
    ...fields,
  }).success;
const change = (fields: Record<string, unknown>) =>
  EventPayloadSchemas[Events.ResellerTwoFactorChanged].safeParse({
    resellerId: 'acme',
    version: 3,
    sourceTicketId: ticketId,
    ...fields,
  }).success;

describe('2FA event payloads', () => {
  it('takes enable, disable, and require with 0 to 90 grace days', () => {
    expect(approval({ action: 'enable' })).toBe(true);
    expect(approval({ action: 'disable' })).toBe(true);
    expect(approval({ action: 'require', graceDays: 0 })).toBe(true);
    expect(approval({ action: 'require', graceDays: 90 })).toBe(true);
  });

  it('refuses require without grace days, grace days out of range, and grace days on other actions', () => {
    expect(approval({ action: 'require' })).toBe(false);
    expect(approval({ action: 'require', graceDays: 91 })).toBe(false);
    expect(approval({ action: 'require', graceDays: -1 })).toBe(false);
    expect(approval({ action: 'require', graceDays: '7' })).toBe(false);
    expect(approval({ action: 'enable', graceDays: 7 })).toBe(false);
    expect(approval({ action: 'maybe' })).toBe(false);
  });

  it('still reads a change from before modes existed (a replayed dead letter)', () => {
    expect(change({ enabled: true })).toBe(true);
    expect(change({ enabled: false })).toBe(true);
  });

  it('reads a change with its mode, deadline and remembered-device days', () => {
    expect(
      change({ enabled: true, mode: 'required', enrollBy: '2026-12-08T10:00:00.000Z', rememberDeviceDays: 30 }),
    ).toBe(true);
    expect(change({ enabled: false, mode: 'off', enrollBy: null, rememberDeviceDays: 0 })).toBe(true);
  });

  it('refuses a change whose enabled contradicts its mode, or an unknown mode', () => {
    expect(change({ enabled: true, mode: 'off' })).toBe(false);
    expect(change({ enabled: false, mode: 'required' })).toBe(false);
    expect(change({ enabled: true, mode: 'mandatory' })).toBe(false);
  });
});

describe('the input rules inside events', () => {
  const reset = (targetUsername: string) =>
    EventPayloadSchemas[Events.TicketUserTwoFactorResetApproved].safeParse({
      ticketId,
      resellerId: 'acme',
      targetUsername,
      approvedBy: 'agent-smith',
    }).success;
  const created = (fields: Record<string, unknown>) =>
    EventPayloadSchemas[Events.ResellerCreated].safeParse({ resellerId: 'acme', name: 'Acme', ...fields }).success;

  it('names the user of a reset with a username the gateway would accept, and nothing else', () => {
    expect(reset('bob.smith@acme')).toBe(true);
    expect(reset('bob smith')).toBe(false);
    expect(reset('b'.repeat(65))).toBe(false);
    expect(reset('')).toBe(false);
  });

  it('takes a reseller id and name within the limits a request has', () => {
    expect(created({ name: 'n'.repeat(200) })).toBe(true);
    expect(created({ name: 'n'.repeat(201) })).toBe(false);
    expect(created({ resellerId: 'Acme Ltd' })).toBe(false);
  });
});
