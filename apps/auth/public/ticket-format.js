// How tickets read on the desk and on My Requests: type names and ages in words.

const TYPE_NAMES = {
  enable_2fa: 'Enable 2FA',
  require_2fa: 'Require 2FA',
  disable_2fa: 'Disable 2FA',
  reset_user_2fa: "Reset a user's 2FA",
  general: 'General',
};

export const typeName = (type) => TYPE_NAMES[type] ?? type;

const MODE_NAMES = { off: 'off', optional: 'on (optional)', required: 'required' };

/** What approving would change, as the gateway worked it out from the reseller's current mode. */
export function effectText(effect, formatTime) {
  if (!effect) return null;
  const from = MODE_NAMES[effect.currentMode] ?? effect.currentMode;
  const to = MODE_NAMES[effect.requestedMode] ?? effect.requestedMode;
  const deadline = effect.enrollBy ? `; users without it must set it up by ${formatTime(effect.enrollBy)}` : '';
  return effect.changes ? `2FA ${from} → ${to}${deadline}` : `None: 2FA is already ${from}`;
}

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
