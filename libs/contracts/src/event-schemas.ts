import { z } from 'zod';
import { Events, type EventName } from './events';

const resellerId = z.string().regex(/^[a-z0-9-]{2,40}$/);
const uuid = z.string().uuid();

/** How a consumer checks an event's payload before acting on it; a mismatch is a dead letter. */
export const EventPayloadSchemas: Record<EventName, z.ZodTypeAny> = {
  [Events.ResellerCreated]: z.object({ resellerId, name: z.string().min(1) }),
  [Events.TicketTwoFactorApproved]: z.object({
    ticketId: uuid,
    resellerId,
    action: z.enum(['enable', 'disable']),
    approvedBy: z.string().min(1),
    approvedAt: z.string().datetime().optional(),
    sequence: z.number().int().positive().optional(),
  }),
  [Events.ResellerTwoFactorChanged]: z.object({
    resellerId,
    enabled: z.boolean(),
    version: z.number().int().nonnegative(),
    sourceTicketId: uuid.nullable(),
    approvedAt: z.string().datetime().optional(),
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
