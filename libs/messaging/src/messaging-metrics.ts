import { Counter } from 'prom-client';

/**
 * How each consumed event ended: applied, duplicate (already in the inbox), retried,
 * dead-lettered, or refused_publisher (sent by a user other than the service the contract names;
 * dead-lettered too).
 */
export const eventsConsumed = new Counter({
  name: 'pbx2fa_events_consumed_total',
  help: 'Events taken from this service queue, by event name and how handling ended',
  labelNames: ['event', 'result'] as const,
});

/** Requests refused because they did not come from the gateway's broker user. */
export const rpcRefused = new Counter({
  name: 'pbx2fa_rpc_refused_total',
  help: "Requests to this service's RPC queue refused because their user_id is not the gateway's broker user",
});
