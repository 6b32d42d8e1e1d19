import type { DataSource } from 'typeorm';
import type { RecoveryCodeKeyCount, RecoveryCodeRepository } from './recovery-code.repository';
import { SealedSecretError, type SecretBox } from './secret-box';
import type { SealedColumn, TwoFactorCredentialRepository } from './two-factor-credential.repository';

export interface ResealReport {
  /** Sealed values (pending and active counted apart) now under the current key and format. */
  resealed: number;
  alreadyCurrent: number;
  /** Changed by the gateway between read and write: left as it wrote them. */
  changedMeanwhile: number;
  /** Values that do not open, current ones included: their user, column and why (never the value). */
  unreadable: { userId: string; column: SealedColumn; reason: string }[];
  /** Sealed values still not under the current key and format once the run is over. */
  remaining: number;
  /** Unused recovery codes by the key their hashes depend on (they cannot be re-keyed). */
  recoveryCodes: RecoveryCodeKeyCount[];
}

const COLUMNS: { column: SealedColumn; field: 'pendingSecret' | 'activeSecret' }[] = [
  { column: 'active_secret', field: 'activeSecret' },
  { column: 'pending_secret', field: 'pendingSecret' },
];

/**
 * Re-seals every TOTP secret, active and pending, with the current key in the current format,
 * so previous keys and the v1 format can be retired. Safe beside a serving gateway: each batch
 * is one transaction of conditional updates, and a value the gateway changed meanwhile is left
 * as it is. Idempotent: values already current are not written.
 */
export class ResealSecrets {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly box: SecretBox,
    private readonly batchSize = 200,
  ) {}

  async run(): Promise<ResealReport> {
    const report: ResealReport = {
      resealed: 0,
      alreadyCurrent: 0,
      changedMeanwhile: 0,
      unreadable: [],
      remaining: 0,
      recoveryCodes: [],
    };
    let after: string | null = null;
    for (;;) {
      const page = await this.credentials.sealedPage(after, this.batchSize);
      if (page.length === 0) break;
      after = page[page.length - 1].userId;
      const changes: { userId: string; column: SealedColumn; from: string; to: string }[] = [];
      for (const row of page) {
        for (const { column, field } of COLUMNS) {
          const sealed = row[field];
          if (sealed === null) continue;
          try {
            // Current values are opened too: one that does not open (copied from another user's row) is reported.
            const plaintext = this.box.open(sealed, row.userId);
            if (this.box.isCurrent(sealed)) report.alreadyCurrent++;
            else changes.push({ userId: row.userId, column, from: sealed, to: this.box.seal(plaintext, row.userId) });
          } catch (error) {
            if (!(error instanceof SealedSecretError)) throw error;
            report.unreadable.push({ userId: row.userId, column, reason: error.message });
          }
        }
      }
      if (changes.length === 0) continue;
      const written = await this.dataSource.transaction(async (manager) => {
        let count = 0;
        for (const change of changes) {
          if (await this.credentials.replaceSealed(manager, change.userId, change.column, change.from, change.to))
            count++;
        }
        return count;
      });
      report.resealed += written;
      report.changedMeanwhile += changes.length - written;
    }
    report.remaining = await this.credentials.countSealedWithout(this.box.currentPrefix);
    report.recoveryCodes = await this.recoveryCodes.countUnusedByKey();
    return report;
  }
}
