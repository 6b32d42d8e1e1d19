import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { newTestDatabase, type TestDatabase } from '../../../libs/persistence/src/testing';
import { authEntities } from '../../../apps/auth/src/entities';
import { authMigrations } from '../../../apps/auth/src/migrations';
import { ticketsMigrations } from '../../../apps/tickets/src/migrations';
import { Ticket } from '../../../apps/tickets/src/tickets/ticket.entity';
import { TicketComment } from '../../../apps/tickets/src/tickets/ticket-comment.entity';
import { TicketHistoryEntry } from '../../../apps/tickets/src/tickets/ticket-history-entry.entity';

/** A migrated database of its own for one test file: `open()` in beforeAll, `close()` in afterAll. */
export interface MediumDatabase {
  readonly dataSource: DataSource;
  /** Another connection pool to the same database, as a second replica would have; closed with the rest. */
  another(): Promise<DataSource>;
  close(): Promise<void>;
}

type Service = 'auth' | 'tickets';

const schemas = {
  auth: { entities: [...authEntities, OutboxMessage, InboxEntry], migrations: authMigrations },
  tickets: {
    entities: [Ticket, TicketComment, TicketHistoryEntry, OutboxMessage, InboxEntry],
    migrations: ticketsMigrations,
  },
};

export async function openMediumDatabase(service: Service, label: string): Promise<MediumDatabase> {
  const database: TestDatabase = newTestDatabase(label);
  const open = () => openServiceDatabase({ url: database.url, schema: service, ...schemas[service] });
  const opened: DataSource[] = [];
  try {
    opened.push(await open());
  } catch (error) {
    await database.drop().catch(() => undefined);
    throw error;
  }
  return {
    dataSource: opened[0],
    async another() {
      const other = await open();
      opened.push(other);
      return other;
    },
    async close() {
      await Promise.all(opened.map((dataSource) => dataSource.destroy().catch(() => undefined)));
      await database.drop();
    },
  };
}
