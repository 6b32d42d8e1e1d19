import { AuditEvents } from '../audit/audit-events';

/** What one kind of security mail says, besides when, where from and with which browser. */
export interface SecurityMailKind {
  /** The subject, and the mail's first line: what happened. */
  subject: string;
  /** One or two sentences on what this change means for the account. */
  meaning: string;
  /** What to do if it was not them. */
  ifNotYou: string;
  /** Facts of the change worth naming, from the audit entry's chosen details (never a code or secret). */
  facts?: (detail: Record<string, unknown>) => [label: string, value: string | Date][];
}

const CALL_FOR_HELP =
  'Contact your administrator or PBX support right away: they can reset two-factor authentication on your account, which also signs out every session.';
const PASSWORD_KNOWN = `Someone else knows your password. ${CALL_FOR_HELP}`;

/**
 * The audit events that send a security mail (OWASP ASVS 2.5.5), by their audit name: one line
 * each. The audit log's trigger queues a mail for exactly these (SecurityMailOutbox.registerEvents
 * writes the list at start); an event named here before anything records it simply waits for it.
 */
export const SECURITY_MAIL_KINDS: Readonly<Record<string, SecurityMailKind>> = {
  [AuditEvents.TwoFactorActivated]: {
    subject: 'Google Authenticator was set up for your account',
    meaning: 'From now on a passcode from that authenticator app is asked for when you sign in.',
    ifNotYou: `Someone who knows your password has added their own authenticator. ${CALL_FOR_HELP}`,
  },
  'passkey.registered': {
    subject: 'A passkey was added to your account',
    meaning: 'That passkey can now complete a sign-in to your account.',
    ifNotYou: `Someone who knows your password has added their own passkey. ${CALL_FOR_HELP}`,
  },
  'passkey.removed': {
    subject: 'A passkey was removed from your account',
    meaning: 'That passkey can no longer be used to sign in to your account.',
    ifNotYou: PASSWORD_KNOWN,
  },
  [AuditEvents.TwoFactorDisabled]: {
    subject: 'Two-factor authentication was turned off for your account',
    meaning:
      'Your authenticator and recovery codes were removed: your password alone now signs you in, and your other sessions were ended.',
    ifNotYou: PASSWORD_KNOWN,
  },
  [AuditEvents.TwoFactorReset]: {
    subject: 'Two-factor authentication was reset for your account',
    meaning:
      'A support ticket to reset it was approved: your authenticator, recovery codes and remembered devices were removed and every session was ended. Set up two-factor authentication again at your next sign-in.',
    ifNotYou: `Nobody should have asked for this without you. ${CALL_FOR_HELP}`,
    facts: (detail) => (typeof detail.ticketId === 'string' ? [['Support ticket', detail.ticketId]] : []),
  },
  [AuditEvents.RecoveryCodesRegenerated]: {
    subject: 'New recovery codes were created for your account',
    meaning: 'The recovery codes you kept before no longer work.',
    ifNotYou: PASSWORD_KNOWN,
  },
  [AuditEvents.RecoveryCodeUsed]: {
    subject: 'A recovery code was used on your account',
    meaning: 'One of your single-use recovery codes was used in place of a passcode.',
    ifNotYou: `Someone has your password and one of your recovery codes. ${CALL_FOR_HELP}`,
    facts: (detail) =>
      typeof detail.remaining === 'number' ? [['Recovery codes left', String(detail.remaining)]] : [],
  },
  [AuditEvents.DeviceRemembered]: {
    subject: 'A device was remembered for your account',
    meaning: 'That browser can now sign in to your account with your password alone, without a second factor.',
    ifNotYou: `Forget the device under Profile, Remembered Devices. ${PASSWORD_KNOWN}`,
    facts: (detail) =>
      typeof detail.days === 'number' ? [['Remembered for', `${detail.days} day${detail.days === 1 ? '' : 's'}`]] : [],
  },
  [AuditEvents.SecondFactorLocked]: {
    subject: 'Your second factor was locked after wrong passcodes',
    meaning:
      'Five wrong passcodes or recovery codes were entered in a row, so no second factor is accepted for a few minutes. If it was you, wait and then enter the passcode your authenticator shows at that moment.',
    ifNotYou: `Someone who knows your password is guessing your passcode. ${CALL_FOR_HELP}`,
    facts: (detail) => (typeof detail.until === 'string' ? [['Locked until', new Date(detail.until)]] : []),
  },
};

/** The audit event names that send a mail. */
export const SECURITY_MAIL_EVENTS: readonly string[] = Object.keys(SECURITY_MAIL_KINDS);
