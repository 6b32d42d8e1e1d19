import { DomainError, ErrorCodes, type TicketStatus } from '@pbx2fa/contracts';

/** open → approved → resolved, open → rejected, open → closed; nothing else, and nothing back. */
const NEXT: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['approved', 'rejected', 'closed'],
  approved: ['resolved'],
  resolved: [],
  rejected: [],
  closed: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return NEXT[from]?.includes(to) ?? false;
}

/** Throws the contract's 409 `invalid_transition`, naming the status the ticket is in. */
export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (canTransition(from, to)) return;
  const sources = (Object.keys(NEXT) as TicketStatus[]).filter((status) => NEXT[status].includes(to));
  const rule = sources.length
    ? `only ${sources.map((status) => `${article(status)} ${status}`).join(' or ')} ticket can be ${to}`
    : `no ticket can become ${to} again`;
  throw new DomainError(409, ErrorCodes.InvalidTransition, `This ticket is ${from}; ${rule}.`);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
