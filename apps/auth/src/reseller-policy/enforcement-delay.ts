import type { EventEnvelope, Events } from '@pbx2fa/contracts';
import { Histogram } from 'prom-client';

/**
 * How long an approved 2FA change of a reseller took to be enforced at sign-in: from the agent's
 * approval (or, for an event that does not carry it, from reseller-settings applying it) to the
 * gateway's policy changing. It spans tickets, reseller-settings, the broker and both outboxes,
 * so it is the number to watch when "I approved it, why does it not ask for a passcode yet?".
 */
export const twoFactorEnforcementDelay = new Histogram({
  name: 'pbx2fa_two_factor_enforcement_delay_seconds',
  help: "From an agent approving a reseller's 2FA change to the gateway enforcing it",
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
});

/** Seconds from the approval (else the event's time) to `now`; never negative (clocks of two machines). */
export function enforcementDelaySeconds(
  event: EventEnvelope<typeof Events.ResellerTwoFactorChanged>,
  now = Date.now(),
): number | null {
  const since = Date.parse(event.payload.approvedAt ?? event.occurredAt);
  return Number.isNaN(since) ? null : Math.max(0, (now - since) / 1000);
}

export function observeEnforcement(event: EventEnvelope<typeof Events.ResellerTwoFactorChanged>): void {
  const seconds = enforcementDelaySeconds(event);
  if (seconds !== null) twoFactorEnforcementDelay.observe(seconds);
}
