import { z } from 'zod';
import { Events, TwoFactorActions, type EventName } from './events';
import { RESELLER_ID_PATTERN, TextLimits, USERNAME_PATTERN } from './input-rules';
import { GRACE_DAYS_MAX, GRACE_DAYS_MIN, TwoFactorModes } from './resellers';

const resellerId = z.string().regex(RESELLER_ID_PATTERN);
const username = z.string().regex(USERNAME_PATTERN);
const uuid = z.string().uuid();
const isoTime = z.string().datetime();

/**
 * Each event's payload, as a consumer checks it before acting on it (a mismatch is a dead
 * letter). The payload types below are read from these schemas, so the two cannot disagree.
 */
export const EventPayloadSchemas = {
  [Events.ResellerCreated]: z.object({ resellerId, name: z.string().min(1).max(TextLimits.resellerName) }),
  [Events.TicketTwoFactorApproved]: z
    .object({
      ticketId: uuid,
      resellerId,
      action: z.enum(TwoFactorActions),
      /** Only with `require`: days from the approval until users without a second factor must enroll. */
      graceDays: z.number().int().min(GRACE_DAYS_MIN).max(GRACE_DAYS_MAX).optional(),
      approvedBy: z.string().min(1),
      approvedAt: isoTime.optional(),
      /**
       * The approval's place among the reseller's approvals (1, 2, 3… as agents made them): an
       * approval older than one already applied changes nothing. Absent only on events published
       * before it existed, which apply in arrival order.
       */
      sequence: z.number().int().positive().optional(),
    })
    .refine((approval) => (approval.action === 'require') === (approval.graceDays !== undefined), {
      message: 'graceDays comes with action require, and only with it',
      path: ['graceDays'],
    }),
  [Events.ResellerTwoFactorChanged]: z
    .object({
      resellerId,
      enabled: z.boolean(),
      /** Absent on events from before modes existed: read them with `modeOf` (enabled → optional). */
      mode: z.enum(TwoFactorModes).optional(),
      /** In `required` mode, the ISO time from which users without a factor must enroll; null otherwise. */
      enrollBy: isoTime.nullable().optional(),
      rememberDeviceDays: z.number().int().nonnegative().optional(),
      version: z.number().int().nonnegative(),
      sourceTicketId: uuid.nullable(),
      /** When the agent approved the ticket that caused it (absent when that approval carried no time). */
      approvedAt: isoTime.optional(),
    })
    .refine((change) => change.mode === undefined || (change.mode !== 'off') === change.enabled, {
      message: 'enabled must be false exactly when mode is off',
      path: ['enabled'],
    }),
  [Events.TicketUserTwoFactorResetApproved]: z.object({
    ticketId: uuid,
    resellerId,
    targetUsername: username,
    approvedBy: z.string().min(1),
  }),
  [Events.UserTwoFactorReset]: z.object({ ticketId: uuid, resellerId, username }),
} as const satisfies Record<EventName, z.ZodType>;

export type EventPayloads = { [N in EventName]: z.infer<(typeof EventPayloadSchemas)[N]> };
export type ResellerCreatedPayload = EventPayloads[typeof Events.ResellerCreated];
export type TicketTwoFactorApprovedPayload = EventPayloads[typeof Events.TicketTwoFactorApproved];
export type ResellerTwoFactorChangedPayload = EventPayloads[typeof Events.ResellerTwoFactorChanged];
export type TicketUserTwoFactorResetApprovedPayload = EventPayloads[typeof Events.TicketUserTwoFactorResetApproved];
export type UserTwoFactorResetPayload = EventPayloads[typeof Events.UserTwoFactorReset];

export const EventEnvelopeSchema = z.object({
  eventId: uuid,
  name: z.string(),
  occurredAt: z.string(),
  correlationId: z.string().min(1).max(200),
  payload: z.unknown(),
});
