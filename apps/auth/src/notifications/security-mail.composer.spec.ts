import { AuditEvents } from '../audit/audit-events';
import { SECURITY_MAIL_EVENTS } from './security-mail-events';
import { composeSecurityMail, formatWhen, type SecurityNotice } from './security-mail.composer';

const CHROME_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const notice = (overrides: Partial<SecurityNotice> = {}): SecurityNotice => ({
  event: AuditEvents.TwoFactorDisabled,
  at: new Date('2026-12-03T14:02:09Z'),
  username: 'alice',
  clientIp: '198.51.100.7',
  userAgent: CHROME_ON_WINDOWS,
  actor: null,
  detail: {},
  ...overrides,
});

describe('composeSecurityMail', () => {
  it('names what happened, when, from which address and browser, and what to do if it was not them', () => {
    const mail = composeSecurityMail(notice(), 'PBX Dashboard')!;
    expect(mail.subject).toBe('PBX Dashboard: Two-factor authentication was turned off for your account');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Two-factor authentication was turned off for your account');
      expect(part).toContain('Thursday 3 December 2026 at 14:02 UTC');
      expect(part).toContain('198.51.100.7');
      expect(part).toContain('Chrome on Windows');
      expect(part).toContain('If this was not you');
      expect(part).toContain('Contact your administrator or PBX support');
    }
  });

  it('has a mail for every event it lists, each with its own subject', () => {
    const subjects = SECURITY_MAIL_EVENTS.map((event) => composeSecurityMail(notice({ event }), 'PBX')!.subject);
    expect(new Set(subjects).size).toBe(SECURITY_MAIL_EVENTS.length);
  });

  it('says for how long a device was remembered, and never names its token', () => {
    const mail = composeSecurityMail(
      notice({
        event: AuditEvents.DeviceRemembered,
        detail: { deviceId: 'd-1', label: 'Chrome on Windows', days: 30 },
      }),
      'PBX',
    )!;
    expect(mail.subject).toBe('PBX: A device was remembered for your account');
    expect(mail.text).toContain('Remembered for: 30 days');
    expect(mail.text).toContain('Forget the device under Profile, Remembered Devices.');
    expect(mail.text).not.toContain('d-1');
  });

  it('sends nothing for an event that is not a security notice', () => {
    expect(composeSecurityMail(notice({ event: AuditEvents.Login }), 'PBX')).toBeNull();
  });

  it('says who reset 2FA by ticket instead of an address the user never had', () => {
    const mail = composeSecurityMail(
      notice({
        event: AuditEvents.TwoFactorReset,
        clientIp: null,
        userAgent: null,
        actor: 'agent.smith',
        detail: { ticketId: 't-42', sessionsEnded: 2 },
      }),
      'PBX',
    )!;
    expect(mail.text).toContain('agent.smith (support)');
    expect(mail.text).toContain('t-42');
    expect(mail.text).not.toContain('From address');
  });

  it('tells until when the second factor is locked, and how many recovery codes are left', () => {
    const locked = composeSecurityMail(
      notice({ event: AuditEvents.SecondFactorLocked, detail: { until: '2026-12-03T14:07:09.000Z' } }),
      'PBX',
    )!;
    expect(locked.text).toMatch(/Locked until: +Thursday 3 December 2026 at 14:07 UTC/);
    const used = composeSecurityMail(notice({ event: AuditEvents.RecoveryCodeUsed, detail: { remaining: 9 } }), 'PBX')!;
    expect(used.text).toMatch(/Recovery codes left: +9/);
  });

  it('escapes what a client sent in the HTML part', () => {
    const mail = composeSecurityMail(notice({ userAgent: '<img src=x onerror=alert(1)>' }), 'PBX')!;
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows only chosen details of the audit entry, whatever else it holds', () => {
    const mail = composeSecurityMail(notice({ detail: { otherSessionsEnded: 3, note: 'never-shown-value' } }), 'PBX')!;
    expect(mail.text).not.toContain('never-shown-value');
    expect(mail.html).not.toContain('never-shown-value');
  });
});

describe('formatWhen', () => {
  it('states the time zone', () => {
    expect(formatWhen(new Date('2026-01-05T09:30:00Z'))).toBe('Monday 5 January 2026 at 09:30 UTC');
  });
});
