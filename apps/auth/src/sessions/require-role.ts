import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';

export function requireAgent(actor: Actor, what: string): void {
  if (actor.role !== 'agent') throw new DomainError(403, ErrorCodes.Forbidden, `Only support agents can ${what}.`);
}
