// How tickets read on the desk and on My Requests: type names and ages in words.

const TYPE_NAMES = {
  enable_2fa: 'Enable 2FA',
  disable_2fa: 'Disable 2FA',
  reset_user_2fa: "Reset a user's 2FA",
  general: 'General',
};

export const typeName = (type) => TYPE_NAMES[type] ?? type;

/** "just now", "5 min", "3 h", "2 days": how long a ticket has waited, short enough for a column. */
export function ageOf(iso, now = Date.now()) {
  const minutes = Math.floor((now - new Date(iso).getTime()) / 60_000);
  if (!Number.isFinite(minutes)) return '';
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** The reseller as people know it: its name, with the id when the name is not known. */
export const resellerLabel = (ticket) => ticket.resellerName ?? ticket.resellerId;
