import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { InboxEntry, messagingRetentionRules, OutboxMessage } from '@pbx2fa/messaging';
import { openServiceDatabase, retentionRowsRemoved, RetentionSweeper, type RetentionRule } from '@pbx2fa/persistence';
import { newTestDatabase, type TestDatabase } from '../../libs/persistence/src/testing';
import { authEntities } from '../../apps/auth/src/entities';
import { authMigrations } from '../../apps/auth/src/migrations';
import { authRetentionRules } from '../../apps/auth/src/retention';

/** The defaults the README documents. */
const RULES = [
  ...authRetentionRules({ SESSION_RETENTION_DAYS: 7, SIGN_IN_STATE_RETENTION_MINUTES: 60, OUTBOX_RETENTION_DAYS: 7 }),
  ...messagingRetentionRules({ inboxDays: 30, outboxDays: 7 }),
];

describe('retention sweeper against PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let userId: string;

  const sweeper = (options: { rules?: RetentionRule[]; batchSize?: number } = {}) =>
    new RetentionSweeper(dataSource, {
      rules: options.rules ?? RULES,
      intervalMs: 60_000,
      batchSize: options.batchSize ?? 1000,
    });
  const sql = (text: string, params: unknown[] = []) => dataSource.query(text, params);
  const column = async (text: string) =>
    ((await sql(text)) as Record<string, unknown>[]).map((row) => Object.values(row)[0]).sort();

  beforeAll(async () => {
    database = newTestDatabase('retention');
    dataSource = await openServiceDatabase({
      url: database.url,
      schema: 'auth',
      entities: [...authEntities, OutboxMessage, InboxEntry],
      migrations: authMigrations,
    });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await sql(
      'TRUNCATE login_challenges, sessions, used_sso_assertions, attempt_throttles, sign_in_rate_limits, remembered_devices, inbox, outbox, users CASCADE',
    );
    userId = randomUUID();
    await sql("INSERT INTO users (id, username, password_hash, role) VALUES ($1, $2, 'x', 'agent')", [
      userId,
      `agent-${userId.slice(0, 8)}`,
    ]);
  });

  const challenge = (name: string, expires: string, consumed = false) =>
    sql(
      `INSERT INTO login_challenges (id, token_hash, user_id, expires_at, consumed_at) VALUES ($1, $2, $3, now() + interval '${expires}', ${consumed ? 'now()' : 'NULL'})`,
      [randomUUID(), name, userId],
    );

  it('removes login challenges an hour past their expiry, used or not, and keeps unexpired and recently expired ones', async () => {
    await challenge('expired-2h', '-2 hours');
    await challenge('used-expired-2h', '-2 hours', true);
    await challenge('expired-10min', '-10 minutes');
    await challenge('live', '5 minutes');
    await challenge('used-live', '5 minutes', true);

    const run = await sweeper().runOnce();

    expect(run).toMatchObject({ outcome: 'ran', removed: { login_challenges: 2 } });
    expect(await column('SELECT token_hash FROM login_challenges')).toEqual(['expired-10min', 'live', 'used-live']);
  });

  it('removes sessions a week after they expired or were revoked, and keeps live ones', async () => {
    const session = (name: string, expires: string, revoked: string | null) =>
      sql(
        `INSERT INTO sessions (id, user_id, amr, expires_at, revoked_at, user_agent) VALUES ($1, $2, '{pwd}', now() + interval '${expires}', ${revoked ? `now() + interval '${revoked}'` : 'NULL'}, $3)`,
        [randomUUID(), userId, name],
      );
    await session('live', '1 hour', null);
    await session('expired-8d', '-8 days', null);
    await session('revoked-8d', '1 hour', '-8 days');
    await session('expired-1d', '-1 day', null);
    await session('revoked-1d', '1 hour', '-1 day');

    const run = await sweeper().runOnce();

    expect(run).toMatchObject({ outcome: 'ran', removed: { sessions: 2 } });
    expect(await column('SELECT user_agent FROM sessions')).toEqual(['expired-1d', 'live', 'revoked-1d']);
  });

  it('removes remembered devices an hour past their stored expiry, and keeps remembered and recently expired ones', async () => {
    const device = (label: string, expires: string) =>
      sql(
        `INSERT INTO remembered_devices (id, user_id, token_hash, label, created_at, expires_at)
         VALUES ($1, $2, $3, $4, now() - interval '40 days', now() + interval '${expires}')`,
        [randomUUID(), userId, randomUUID(), label],
      );
    await device('expired-2h', '-2 hours');
    await device('expired-10min', '-10 minutes');
    await device('remembered', '20 days');

    const run = await sweeper().runOnce();

    expect(run).toMatchObject({ outcome: 'ran', removed: { remembered_devices: 1 } });
    expect(await column('SELECT label FROM remembered_devices')).toEqual(['expired-10min', 'remembered']);
  });

  it('removes SSO assertion ids past their expiry, but never while the verifier would still accept the assertion', async () => {
    const assertion = (jti: string, expires: string) =>
      sql(`INSERT INTO used_sso_assertions (jti, expires_at) VALUES ($1, now() + interval '${expires}')`, [jti]);
    await assertion('expired-2h', '-2 hours');
    await assertion('expired-30min', '-30 minutes');
    await assertion('expired-20s', '-20 seconds');
    await assertion('live', '5 minutes');

    expect(await sweeper().runOnce()).toMatchObject({ removed: { used_sso_assertions: 1 } });
    expect(await column('SELECT jti FROM used_sso_assertions')).toEqual(['expired-20s', 'expired-30min', 'live']);

    // Even with no retention configured, an id stays through the verifier's 30 s clock tolerance.
    const immediate = authRetentionRules({
      SESSION_RETENTION_DAYS: 0,
      SIGN_IN_STATE_RETENTION_MINUTES: 0,
      OUTBOX_RETENTION_DAYS: 0,
    });
    expect(await sweeper({ rules: immediate }).runOnce()).toMatchObject({ removed: { used_sso_assertions: 1 } });
    expect(await column('SELECT jti FROM used_sso_assertions')).toEqual(['expired-20s', 'live']);
  });

  it('removes throttle rows that hold nothing (no failures, or a lock long over) and keeps counted failures and live locks', async () => {
    const throttle = (key: string, failures: number, lockedUntil: string | null, updated: string) =>
      sql(
        `INSERT INTO attempt_throttles (key, consecutive_failures, locked_until, updated_at)
         VALUES ($1, $2, ${lockedUntil ? `now() + interval '${lockedUntil}'` : 'NULL'}, now() + interval '${updated}')`,
        [key, failures],
      );
    await throttle('cleared-2h-ago', 0, null, '-2 hours');
    await throttle('lock-over-2h-ago', 5, '-2 hours', '-2 hours 5 minutes');
    await throttle('locked-now', 5, '4 minutes', '-1 minute');
    await throttle('three-failures-2h-ago', 3, null, '-2 hours');
    await throttle('cleared-just-now', 0, null, '-1 minute');

    expect(await sweeper().runOnce()).toMatchObject({ removed: { attempt_throttles: 2 } });
    expect(await column('SELECT key FROM attempt_throttles')).toEqual([
      'cleared-just-now',
      'locked-now',
      'three-failures-2h-ago',
    ]);
  });

  it('removes per-address sign-in windows that ended over an hour ago (expire in epoch ms)', async () => {
    const now = Date.now();
    const windowRow = (key: string, expire: number | null) =>
      sql('INSERT INTO sign_in_rate_limits (key, points, expire) VALUES ($1, 3, $2)', [key, expire]);
    await windowRow('ended-2h-ago', now - 2 * 3600_000);
    await windowRow('ended-10min-ago', now - 10 * 60_000);
    await windowRow('current', now + 1000);
    await windowRow('never-expires', null);

    expect(await sweeper().runOnce()).toMatchObject({ removed: { sign_in_rate_limits: 1 } });
    expect(await column('SELECT key FROM sign_in_rate_limits')).toEqual([
      'current',
      'ended-10min-ago',
      'never-expires',
    ]);
  });

  it('removes outbox rows a week after the broker confirmed them, and never one still waiting to be published', async () => {
    const outbox = (name: string, created: string, published: string | null) =>
      sql(
        `INSERT INTO outbox (event_id, event_name, envelope, created_at, published_at) VALUES ($1, $2, '{}', now() + interval '${created}', ${published ? `now() + interval '${published}'` : 'NULL'})`,
        [randomUUID(), name],
      );
    await outbox('published-8d', '-8 days', '-8 days');
    await outbox('published-1d', '-1 day', '-1 day');
    await outbox('unpublished-30d', '-30 days', null);

    expect(await sweeper().runOnce()).toMatchObject({ removed: { outbox: 1 } });
    expect(await column('SELECT event_name FROM outbox')).toEqual(['published-1d', 'unpublished-30d']);
  });

  it('removes security mails a week after they were sent, and unsent ones only once they are too old to send', async () => {
    await sql('TRUNCATE security_mail_outbox');
    const mail = async (name: string, queued: string, done: string | null) => {
      const [{ id }] = await sql(
        `INSERT INTO audit_log (event, outcome, username, at) VALUES ('two_factor.disabled', 'success', $1, now() + interval '${queued}') RETURNING id`,
        [name],
      );
      await sql(
        `INSERT INTO security_mail_outbox (audit_id, user_id, queued_at, done_at, outcome)
         VALUES ($1, $2, now() + interval '${queued}', ${done ? `now() + interval '${done}'` : 'NULL'}, ${done ? "'sent'" : 'NULL'})`,
        [id, userId],
      );
    };
    await mail('sent-8d', '-8 days', '-8 days');
    await mail('sent-1d', '-2 days', '-1 day');
    await mail('waiting-6d', '-6 days', null);
    await mail('waiting-8d', '-8 days', null);

    expect(await sweeper().runOnce()).toMatchObject({ removed: { security_mail_outbox: 2 } });
    expect(
      await column(
        'SELECT a.username FROM security_mail_outbox m JOIN audit_log a ON a.id = m.audit_id ORDER BY a.username',
      ),
    ).toEqual(['sent-1d', 'waiting-6d']);
  });

  it('removes inbox entries after 30 days, but keeps the effect keys that stop a ticket decision from applying twice', async () => {
    const inbox = (name: string, handled: string, effectKey: string | null) =>
      sql(
        `INSERT INTO inbox (event_id, event_name, effect_key, handled_at) VALUES ($1, $2, $3, now() + interval '${handled}')`,
        [randomUUID(), name, effectKey],
      );
    await inbox('handled-31d', '-31 days', null);
    await inbox('handled-29d', '-29 days', null);
    await inbox('decision-400d', '-400 days', 'ticket:1');

    expect(await sweeper().runOnce()).toMatchObject({ removed: { inbox: 1 } });
    expect(await column('SELECT event_name FROM inbox')).toEqual(['decision-400d', 'handled-29d']);
  });

  it('works through a backlog in batches of the configured size, counting and logging what it removed', async () => {
    await sql(
      `INSERT INTO login_challenges (id, token_hash, user_id, expires_at)
       SELECT gen_random_uuid(), 'old-' || i, $1, now() - interval '1 day' FROM generate_series(1, 25) AS i`,
      [userId],
    );
    await challenge('live', '5 minutes');
    const batches: number[] = [];
    const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
    const spy = jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
      const runner = createQueryRunner(...args);
      const query = runner.query.bind(runner);
      runner.query = async (text: string, parameters?: unknown[], structured?: boolean) => {
        const result = await query(text, parameters, structured as true);
        if (text.includes('DELETE FROM login_challenges')) batches.push(result.affected ?? 0);
        return result;
      };
      return runner;
    });
    const batched = sweeper({ batchSize: 10 });
    const logged = jest
      .spyOn((batched as unknown as { logger: Logger }).logger, 'log')
      .mockImplementation(() => undefined);
    const before =
      (await retentionRowsRemoved.get()).values.find((value) => value.labels.table === 'login_challenges')?.value ?? 0;
    let lines: string[];
    try {
      expect(await batched.runOnce()).toMatchObject({ removed: { login_challenges: 25 } });
      lines = logged.mock.calls.map(([message]) => String(message));
    } finally {
      spy.mockRestore();
      logged.mockRestore();
    }

    expect(batches).toEqual([10, 10, 5]);
    expect(await column('SELECT token_hash FROM login_challenges')).toEqual(['live']);
    const after = (await retentionRowsRemoved.get()).values.find(
      (value) => value.labels.table === 'login_challenges',
    )?.value;
    expect(after).toBe(before + 25);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/login_challenges=25 sessions=0 .*outbox=0 inbox=0/);
  });

  it('skips a row that a request holds instead of waiting for it, and takes it next time', async () => {
    await challenge('held', '-2 hours');
    await challenge('free', '-2 hours');
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query("SELECT id FROM login_challenges WHERE token_hash = 'held' FOR UPDATE");
      expect(await sweeper().runOnce()).toMatchObject({ removed: { login_challenges: 1 } });
      await holder.commitTransaction();
    } finally {
      await holder.release();
    }
    expect(await column('SELECT token_hash FROM login_challenges')).toEqual(['held']);
    expect(await sweeper().runOnce()).toMatchObject({ removed: { login_challenges: 1 } });
  });

  describe('with two replicas', () => {
    it('does not run while another replica is running it, and runs once it has finished', async () => {
      await challenge('expired', '-2 hours');
      const otherReplica = dataSource.createQueryRunner();
      await otherReplica.connect();
      try {
        await otherReplica.query("SELECT pg_advisory_lock(hashtext('pbx2fa:retention:' || current_schema()))");
        expect(await sweeper().runOnce()).toEqual({ outcome: 'skipped' });
        expect(await column('SELECT token_hash FROM login_challenges')).toEqual(['expired']);
        await otherReplica.query("SELECT pg_advisory_unlock(hashtext('pbx2fa:retention:' || current_schema()))");
      } finally {
        await otherReplica.release();
      }
      expect(await sweeper().runOnce()).toMatchObject({ outcome: 'ran', removed: { login_challenges: 1 } });
    });

    it('lets only one of two replicas starting at the same moment run it, holding the lock across all its batches', async () => {
      await sql(
        `INSERT INTO login_challenges (id, token_hash, user_id, expires_at)
         SELECT gen_random_uuid(), 'old-' || i, $1, now() - interval '1 day' FROM generate_series(1, 40) AS i`,
        [userId],
      );
      // A first rule that takes a while, so that the second replica tries while the first is mid-run.
      const slowFirst: RetentionRule = { table: 'pause', deleteBatch: 'SELECT pg_sleep(0.3) WHERE $1::int > 0' };
      const replica = () => sweeper({ rules: [slowFirst, ...RULES], batchSize: 5 });

      const runs = await Promise.all([replica().runOnce(), replica().runOnce()]);

      expect(runs.map((run) => run.outcome).sort()).toEqual(['ran', 'skipped']);
      const ran = runs.find((run) => run.outcome === 'ran');
      expect(ran).toMatchObject({ removed: { login_challenges: 40 } });
      expect(await column('SELECT count(*)::int FROM login_challenges')).toEqual([0]);
    });
  });
});
