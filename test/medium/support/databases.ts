import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { newTestDatabase, testDatabaseNamed, type TestDatabase } from '../../../libs/persistence/src/testing';
import { authEntities } from '../../../apps/auth/src/entities';
import { authMigrations } from '../../../apps/auth/src/migrations';
import { ticketsMigrations } from '../../../apps/tickets/src/migrations';
import { Ticket } from '../../../apps/tickets/src/tickets/ticket.entity';
import { TicketComment } from '../../../apps/tickets/src/tickets/ticket-comment.entity';
import { TicketHistoryEntry } from '../../../apps/tickets/src/tickets/ticket-history-entry.entity';

/** A migrated, empty database of its own for one test file: open it in beforeAll, `close()` in afterAll. */
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

/**
 * `npm run test:mutation` runs a test file once per mutant. There, creating and migrating a
 * database each time would cost more than the tests: each Stryker worker keeps one database per
 * test file for the whole run (named after the run and the worker, dropped by the script at the
 * end) and empties it before each use. Everywhere else each open makes a new database.
 */
function databaseFor(label: string): { database: TestDatabase; kept: boolean } {
  const run = process.env.PBX2FA_MUTATION_RUN;
  const worker = process.env.STRYKER_MUTATOR_WORKER;
  if (run && worker !== undefined) return { database: testDatabaseNamed(`m${run}_${label}_w${worker}`), kept: true };
  return { database: newTestDatabase(label), kept: false };
}

async function emptyTables(dataSource: DataSource, schema: string): Promise<void> {
  const tables: { name: string }[] = await dataSource.query(
    "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> 'migrations'",
    [schema],
  );
  if (tables.length > 0) {
    await dataSource.query(`TRUNCATE ${tables.map((table) => table.name).join(', ')} RESTART IDENTITY CASCADE`);
  }
}

export async function openMediumDatabase(service: Service, label: string): Promise<MediumDatabase> {
  const { database, kept } = databaseFor(label);
  const open = () => openServiceDatabase({ url: database.url, schema: service, ...schemas[service] });
  const opened: DataSource[] = [];
  try {
    opened.push(await open());
    if (kept) await emptyTables(opened[0], service);
  } catch (error) {
    await Promise.all(opened.map((dataSource) => dataSource.destroy()));
    if (!kept) await database.drop().catch(() => undefined);
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
      if (!kept) await database.drop();
    },
  };
}
