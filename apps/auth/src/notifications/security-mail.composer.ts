import { describeBrowser } from '../common/browser-name';
import { SECURITY_MAIL_KINDS } from './security-mail-events';

/** One security event of one user, as the audit log recorded it. */
export interface SecurityNotice {
  event: string;
  at: Date;
  username: string;
  clientIp: string | null;
  userAgent: string | null;
  /** Who made the change when it was not the user: the agent who approved a reset ticket. */
  actor: string | null;
  detail: Record<string, unknown>;
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * The mail telling a user of a change to their account's security: what happened, when, from
 * which address and browser, and what to do if it was not them. It is built only from the audit
 * entry's chosen fields, so it can hold no code, secret or token. Null for an event that sends none.
 */
export function composeSecurityMail(notice: SecurityNotice, product: string): ComposedMail | null {
  const kind = SECURITY_MAIL_KINDS[notice.event];
  if (!kind) return null;
  const facts: [string, string][] = [['When', formatWhen(notice.at)]];
  if (notice.clientIp || !notice.actor) facts.push(['From address', notice.clientIp ?? 'unknown']);
  if (notice.userAgent || !notice.actor) facts.push(['Browser', describeBrowser(notice.userAgent)]);
  if (notice.actor) facts.push(['Done by', `${notice.actor} (support)`]);
  for (const [label, value] of kind.facts?.(notice.detail) ?? []) {
    facts.push([label, value instanceof Date ? formatWhen(value) : value]);
  }
  const footer = `This mail was sent because the security of your ${product} account "${notice.username}" changed. It never contains, and never asks for, a password, passcode or recovery code.`;
  const width = Math.max(...facts.map(([label]) => label.length)) + 2;
  const text = [
    `Hello ${notice.username},`,
    '',
    `${kind.subject}. ${kind.meaning}`,
    '',
    ...facts.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value}`),
    '',
    'If this was you, there is nothing more to do.',
    '',
    `If this was not you: ${kind.ifNotYou}`,
    '',
    '-- ',
    footer,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(kind.subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a">
<p>Hello ${escapeHtml(notice.username)},</p>
<p><strong>${escapeHtml(kind.subject)}.</strong> ${escapeHtml(kind.meaning)}</p>
<table role="presentation" style="border-collapse: collapse">
${facts.map(([label, value]) => `<tr><th style="text-align: left; padding: 2px 16px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
<p>If this was you, there is nothing more to do.</p>
<p><strong>If this was not you:</strong> ${escapeHtml(kind.ifNotYou)}</p>
<hr>
<p style="font-size: smaller; color: #555">${escapeHtml(footer)}</p>
</body></html>
`;
  return { subject: `${product}: ${kind.subject}`, text, html };
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const twoDigits = (n: number) => String(n).padStart(2, '0');

/** "Thursday 3 December 2026 at 14:02 UTC": a person's reading, in one stated time zone (the same on every Node's ICU). */
export function formatWhen(at: Date): string {
  const date = `${WEEKDAYS[at.getUTCDay()]} ${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}`;
  return `${date} at ${twoDigits(at.getUTCHours())}:${twoDigits(at.getUTCMinutes())} UTC`;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}
