import { z } from 'zod';
import { Events, TwoFactorActions, type EventName } from './events';
import { GRACE_DAYS_MAX, GRACE_DAYS_MIN, TwoFactorModes } from './resellers';

const resellerId = z.string().regex(/^[a-z0-9-]{2,40}$/);
const uuid = z.string().uuid();

/** How a consumer checks an event's payload before acting on it; a mismatch is a dead letter. */
export const EventPayloadSchemas: Record<EventName, z.ZodTypeAny> = {
  [Events.ResellerCreated]: z.object({ resellerId, name: z.string().min(1) }),
  [Events.TicketTwoFactorApproved]: z
    .object({
      ticketId: uuid,
      resellerId,
      action: z.enum(TwoFactorActions),
      graceDays: z.number().int().min(GRACE_DAYS_MIN).max(GRACE_DAYS_MAX).optional(),
      approvedBy: z.string().min(1),
      approvedAt: z.string().datetime().optional(),
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
      mode: z.enum(TwoFactorModes).optional(),
      enrollBy: z.string().datetime().nullable().optional(),
      rememberDeviceDays: z.number().int().nonnegative().optional(),
      version: z.number().int().nonnegative(),
      sourceTicketId: uuid.nullable(),
      approvedAt: z.string().datetime().optional(),
    })
    .refine((change) => change.mode === undefined || (change.mode !== 'off') === change.enabled, {
      message: 'enabled must be false exactly when mode is off',
      path: ['enabled'],
    }),
  [Events.TicketUserTwoFactorResetApproved]: z.object({
    ticketId: uuid,
    resellerId,
    targetUsername: z.string().min(1),
    approvedBy: z.string().min(1),
  }),
  [Events.UserTwoFactorReset]: z.object({ ticketId: uuid, resellerId, username: z.string().min(1) }),
};

export const EventEnvelopeSchema = z.object({
  eventId: uuid,
  name: z.string(),
  occurredAt: z.string(),
  correlationId: z.string().min(1).max(200),
  payload: z.unknown(),
});
