import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';

/**
 * Numbers each reseller's 2FA approvals 1, 2, 3… in the order agents made them. Taken inside the
 * approval's transaction: the row stays locked until it commits, so two agents approving for one
 * reseller at once get their numbers in the order their approvals commit. The number travels on
 * the event, and reseller-settings applies an approval only if it is newer than the last one it
 * applied: a late, redelivered or replayed approval can never undo a later one.
 */
@Injectable()
export class ApprovalSequenceRepository {
  async next(manager: EntityManager, resellerId: string): Promise<number> {
    const [row] = await queryRows<{ sequence: string }>(
      manager,
      `INSERT INTO approval_sequences (reseller_id, last_sequence) VALUES ($1, 1)
       ON CONFLICT (reseller_id) DO UPDATE SET last_sequence = approval_sequences.last_sequence + 1
       RETURNING last_sequence AS sequence`,
      [resellerId],
    );
    return Number(row.sequence);
  }
}
