import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditEntry } from './audit-events';

const securityEvents = new Counter({
  name: 'pbx2fa_security_events_total',
  help: 'Security events by kind and outcome: logins, second-factor failures, locks, enrollment changes',
  labelNames: ['event', 'outcome'] as const,
});

export interface AuditRecord {
  id: string;
  at: string;
  event: string;
  outcome: string;
  username: string | null;
  userId: string | null;
  resellerId: string | null;
  actor: string | null;
  clientIp: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  username?: string;
  resellerId?: string;
  limit: number;
}

/** An entry's columns, typed placeholders from `$first` on, and values: for a statement that writes an entry with other rows. */
export const AUDIT_COLUMNS = 'event, outcome, username, user_id, reseller_id, actor, client_ip, user_agent, detail';
const AUDIT_TYPES = ['text', 'text', 'text', 'uuid', 'text', 'text', 'text', 'text', 'jsonb'];

export const auditPlaceholders = (first: number) => AUDIT_TYPES.map((type, i) => `$${first + i}::${type}`).join(', ');

export function auditValues(entry: AuditEntry): unknown[] {
  return [
    entry.event,
    entry.outcome,
    entry.username?.toLowerCase() ?? null,
    entry.userId ?? null,
    entry.resellerId ?? null,
    entry.actor ?? null,
    entry.clientIp ?? null,
    entry.userAgent?.slice(0, 500) ?? null,
    entry.detail ?? {},
  ];
}

/** The security audit log: append-only, never holding a secret (details are chosen fields only). */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger(AuditLog.name);

  constructor(private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(1)})`,
      auditValues(entry),
    );
    this.written(entry);
  }

  /** Counts and logs an entry once it is written, also when another statement wrote it (see auditValues). */
  written(entry: AuditEntry): void {
    securityEvents.inc({ event: entry.event, outcome: entry.outcome });
    this.logger.log({
      audit: entry.event,
      outcome: entry.outcome,
      username: entry.username,
      resellerId: entry.resellerId,
    });
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    return this.dataSource.query(
      `SELECT id::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, event, outcome, username,
              user_id AS "userId", reseller_id AS "resellerId", actor, client_ip AS "clientIp", user_agent AS "userAgent", detail
         FROM audit_log
        WHERE ($1::text IS NULL OR username = lower($1)) AND ($2::text IS NULL OR reseller_id = $2)
        ORDER BY id DESC
        LIMIT $3`,
      [query.username ?? null, query.resellerId ?? null, query.limit],
    );
  }
}
