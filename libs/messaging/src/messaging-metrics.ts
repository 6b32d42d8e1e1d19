import { Counter } from 'prom-client';

/** How each consumed event ended: applied, duplicate (already in the inbox), retried, dead-lettered. */
export const eventsConsumed = new Counter({
  name: 'pbx2fa_events_consumed_total',
  help: 'Events taken from this service queue, by event name and how handling ended',
  labelNames: ['event', 'result'] as const,
});
