import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';
import type { AuditQuery } from './audit-log';

/**
 * Who reads which audit entries: agents everything, with any filter; a reseller admin only the
 * entries of its own reseller (a filter naming another is refused, not silently widened);
 * anyone else nothing.
 */
export function visibleAuditQuery(actor: Actor, requested: Partial<AuditQuery>): AuditQuery {
  const limit = requested.limit ?? 100;
  if (actor.role === 'agent') return { username: requested.username, resellerId: requested.resellerId, limit };
  if (actor.role === 'reseller_admin' && actor.resellerId) {
    if (requested.resellerId && requested.resellerId !== actor.resellerId) {
      throw new DomainError(403, ErrorCodes.Forbidden, "You can only read your own reseller's audit log.");
    }
    return { username: requested.username, resellerId: actor.resellerId, limit };
  }
  throw new DomainError(403, ErrorCodes.Forbidden, 'Only support agents and reseller admins can read the audit log.');
}
