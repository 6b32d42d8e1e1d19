import type { TicketEffect, TicketView, TwoFactorMode } from '@pbx2fa/contracts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The mode each 2FA ticket asks for. */
const REQUESTED_MODE: Partial<Record<TicketView['type'], TwoFactorMode>> = {
  enable_2fa: 'optional',
  require_2fa: 'required',
  disable_2fa: 'off',
};

/**
 * What approving an open 2FA ticket would change now, from the gateway's copy of the reseller's
 * policy, so the agent sees it before deciding; null for other tickets and decided ones.
 */
export function ticketEffect(
  ticket: Pick<TicketView, 'type' | 'status' | 'graceDays'>,
  currentMode: TwoFactorMode,
  now: Date,
): TicketEffect | null {
  const requestedMode = REQUESTED_MODE[ticket.type];
  if (!requestedMode || ticket.status !== 'open') return null;
  const enrollBy =
    requestedMode === 'required' ? new Date(now.getTime() + (ticket.graceDays ?? 0) * DAY_MS).toISOString() : null;
  // Requiring again sets a new deadline, so it always changes something.
  return {
    currentMode,
    requestedMode,
    enrollBy,
    changes: currentMode !== requestedMode || requestedMode === 'required',
  };
}
