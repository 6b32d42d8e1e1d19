import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Events, type EventEnvelope, type TicketView } from '@pbx2fa/contracts';
import { eventually, login, type Gateway, type ResellerView, type SignedInUser } from './support/api';
import { queueDepths } from './support/broker';
import { settled } from './support/burst';
import { type ServiceName, type Stack } from './support/stack';
import {
  approveTicket,
  auditOf,
  enroll,
  openTicket,
  resolvedTicket,
  signInWithPasscode,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { envelope, publishEvents, publishRaw, query, takeAll } from './support/wire';
import { useStack } from './support/e2e';

const run = promisify(execFile);
const DEAD_LETTERS_CLI = join(resolve(__dirname, '..'), 'dist', 'libs', 'messaging', 'src', 'dead-letters.cli.js');
const MAX_ATTEMPTS = 3;

/**
 * What consumers do with what arrives on the wire besides the events they expect: a repeated
 * event (same id) and a stale one (lower version) change nothing; a message that cannot be read or
 * handled lands in the consumer's dead-letter queue after a bounded number of tries, the consumer
 * keeps going, and the dead-letters command lists and replays it.
 */
/** How many events of a kind a service's consumer has ended with `result`, from its /metrics. */
async function consumedAs(stack: Stack, service: ServiceName, event: string, result: string): Promise<number> {
  const text = await (await fetch(`${stack.managementUrls(service)[0]}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`pbx2fa_events_consumed_total{event="${event}",result="${result}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('event consumers', () => {
  let stack: Stack;
  let gw: Gateway;

  useStack((started) => ({ stack, gw } = started), { env: { CONSUMER_MAX_ATTEMPTS: String(MAX_ATTEMPTS) } });

  beforeAll(async () => {});

  const deadLetters = (command: 'list' | 'replay', service: string) =>
    run(process.execPath, [DEAD_LETTERS_CLI, command, service], {
      // The operator's user: a dead letter goes back under its publisher's user_id (impersonator).
      env: { ...process.env, RABBITMQ_URL: stack.brokerUrlAs('operator') },
      timeout: 30_000,
    });

  async function deadDepths(): Promise<Record<string, number>> {
    const depths = await queueDepths(stack.vhost);
    return Object.fromEntries(
      ['auth', 'tickets', 'reseller-settings'].map((service) => [
        service,
        depths.get(`${service}.events.dead`)?.messages ?? -1,
      ]),
    );
  }

  describe('repeated and stale events', () => {
    let reseller: ResellerView;
    let admin: SignedInUser;
    let eve: EnrolledUser;
    let tickets: TicketView[];

    /** Everything a test can observe of the reseller, its tickets and its user, read without side effects. */
    async function observe() {
      const [settings] = await query(
        stack.databaseUrl,
        'SELECT two_factor_enabled, version FROM reseller_settings.resellers WHERE id = $1',
        [reseller.id],
      );
      const [policy] = await query(
        stack.databaseUrl,
        'SELECT two_factor_enabled, version FROM auth.reseller_policies WHERE reseller_id = $1',
        [reseller.id],
      );
      const views = await Promise.all(
        tickets.map(async (ticket) => (await gw.agent.get<TicketView>(`/tickets/${ticket.id}`)).body),
      );
      const me = await eve.client.get('/auth/me');
      const resets = (await auditOf(gw, eve.username)).filter((item) => /reset/.test(item.event)).length;
      return {
        settings,
        policy,
        tickets: views.map((view) => ({ id: view.id, status: view.status, history: view.history.length })),
        eve: me.body.twoFactor,
        resets,
      };
    }

    beforeAll(async () => {
      reseller = await gw.factory.reseller();
      admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      const on = await switchResellerTwoFactor(gw, admin, true);
      const off = await switchResellerTwoFactor(gw, admin, false);
      const onAgain = await switchResellerTwoFactor(gw, admin, true);
      eve = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
      const reset = await openTicket(admin.client, {
        type: 'reset_user_2fa',
        targetUsername: eve.username,
        subject: 'Eve lost her phone',
      });
      await approveTicket(gw, reset.id);
      await resolvedTicket(gw, reset.id);
      // Eve sets up her new phone: a repeated reset must not take it away again.
      const token = await login(stack.authUrl, eve.username, eve.password);
      eve = await enroll({ ...eve, token, client: gw.anon.as(token) });
      tickets = [on, off, onAgain, reset];
      await settled(stack.databaseUrl, stack.vhost);
    });

    it('changes nothing when every event is delivered again with its own id', async () => {
      const before = await observe();
      const published = await query<{ envelope: EventEnvelope }>(
        stack.databaseUrl,
        `SELECT envelope FROM tickets.outbox UNION ALL SELECT envelope FROM reseller_settings.outbox UNION ALL SELECT envelope FROM auth.outbox`,
      );
      const names = published.map((row) => row.envelope.name);
      expect(names).toEqual(
        expect.arrayContaining([
          Events.TicketTwoFactorApproved,
          Events.ResellerTwoFactorChanged,
          Events.TicketUserTwoFactorResetApproved,
          Events.UserTwoFactorReset,
        ]),
      );
      // Twice over, in the order they first went out.
      const events = published.map((row) => row.envelope);
      await publishEvents(stack, [...events, ...events]);
      await settled(stack.databaseUrl, stack.vhost);

      expect(await observe()).toEqual(before);
      expect(before.settings).toEqual({ two_factor_enabled: true, version: reseller.version + 3 });
      expect(before.eve).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 10,
      });
      expect(before.resets).toBe(1);
      await expect(signInWithPasscode(gw.anon, eve)).resolves.toEqual(expect.any(String));
      console.log(
        `repeated events: ${events.length * 2} copies of ${events.length} events published (${names.join(', ')}); nothing changed`,
      );
    });

    it('applies each approval once even when it is published again under a new event id', async () => {
      const before = await observe();
      const approvals = await query<{ envelope: EventEnvelope }>(
        stack.databaseUrl,
        `SELECT envelope FROM tickets.outbox WHERE event_name = ANY($1) ORDER BY position DESC`,
        [[Events.TicketTwoFactorApproved, Events.TicketUserTwoFactorResetApproved]],
      );
      expect(approvals).toHaveLength(4);
      // Newest first: the stale "off" would turn 2FA off again and the reset would wipe Eve's new phone.
      const republished = approvals.map((row) => ({ ...row.envelope, eventId: randomUUID() }));
      const duplicates = async () => ({
        approvals: await consumedAs(stack, 'reseller-settings', Events.TicketTwoFactorApproved, 'duplicate'),
        resets: await consumedAs(stack, 'auth', Events.TicketUserTwoFactorResetApproved, 'duplicate'),
      });
      const duplicatesBefore = await duplicates();
      await publishEvents(stack, republished);
      // Each was taken and recognised as an approval already applied.
      await eventually(async () =>
        expect(await duplicates()).toEqual({
          approvals: duplicatesBefore.approvals + 3,
          resets: duplicatesBefore.resets + 1,
        }),
      );
      await settled(stack.databaseUrl, stack.vhost);
      expect(await observe()).toEqual(before);
      await expect(signInWithPasscode(gw.anon, eve)).resolves.toEqual(expect.any(String));
      console.log(`approvals published again under new ids: ${republished.length}; nothing changed`);
    });

    it('never rolls a newer setting back for a stale event (lower or equal version) with a new id', async () => {
      const before = await observe();
      const current = before.settings.version as number;
      const stale = [
        { version: current - 1, sourceTicketId: tickets[2].id },
        { version: current - 2, sourceTicketId: tickets[1].id },
        { version: current, sourceTicketId: null },
        { version: 0, sourceTicketId: null },
      ].map((change) =>
        envelope(Events.ResellerTwoFactorChanged, { resellerId: reseller.id, enabled: false, ...change }),
      );
      await publishEvents(stack, stale);
      // Each was handled (its id is in the inbox of both consumers), and changed nothing.
      await eventually(async () => {
        for (const schema of ['auth', 'tickets']) {
          const rows = await query(
            stack.databaseUrl,
            `SELECT event_id FROM ${schema}.inbox WHERE event_id = ANY($1::uuid[])`,
            [stale.map((event) => event.eventId)],
          );
          expect({ schema, handled: rows.length }).toEqual({ schema, handled: stale.length });
        }
      });
      await settled(stack.databaseUrl, stack.vhost);
      expect(await observe()).toEqual(before);
      const signIn = await gw.anon.post('/auth/login', { username: eve.username, password: eve.password });
      expect(signIn.body.status).toBe('two_factor_required');
      console.log(
        `stale events: ${stale.length} reseller.two_factor.changed with versions ${stale.map((e) => e.payload.version).join(', ')} (current ${current}) handled; nothing changed`,
      );
    });
  });

  describe('approvals that arrive out of order', () => {
    it('applies approvals in the order agents made them: an older one arriving after a newer one changes nothing, and both tickets resolve', async () => {
      const reseller = await gw.factory.reseller();
      const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      await switchResellerTwoFactor(gw, admin, true);
      const disable = await openTicket(admin.client, { type: 'disable_2fa', subject: 'Turn it off' });
      const enableAgain = await openTicket(admin.client, { type: 'enable_2fa', subject: 'Sorry, on again' });
      const [before] = await query(stack.databaseUrl, 'SELECT version FROM reseller_settings.resellers WHERE id = $1', [
        reseller.id,
      ]);

      // Both approvals wait in reseller-settings' queue; the older is then put behind the newer.
      await stack.stopService('reseller-settings');
      try {
        await approveTicket(gw, disable.id);
        await approveTicket(gw, enableAgain.id);
        const queued = await eventually(async () => {
          const messages = await takeAll(stack.rabbitmqUrl, 'reseller-settings.events');
          expect(messages).toHaveLength(2);
          return messages;
        });
        await publishRaw(stack.brokerUrlAs('tickets'), [queued[1], queued[0]], { userId: stack.brokerUsers.tickets });
      } finally {
        await stack.start('reseller-settings');
      }

      await resolvedTicket(gw, disable.id);
      await resolvedTicket(gw, enableAgain.id);
      await settled(stack.databaseUrl, stack.vhost);
      const [after] = await query(
        stack.databaseUrl,
        'SELECT two_factor_enabled, version FROM reseller_settings.resellers WHERE id = $1',
        [reseller.id],
      );
      expect(after).toEqual({ two_factor_enabled: true, version: (before.version as number) + 1 });
      expect((await admin.client.get('/auth/me')).body.twoFactor.availableForReseller).toBe(true);
      expect(stack.logs('reseller-settings')).toContain(`approval ${disable.id} of reseller ${reseller.id}`);
    });
  });

  describe('poison messages', () => {
    let reseller: ResellerView;
    let admin: SignedInUser;
    const ghost = `ghost-${randomUUID().slice(0, 8)}`;
    const unhandleable = envelope(Events.TicketTwoFactorApproved, {
      ticketId: randomUUID(),
      resellerId: ghost,
      action: 'enable',
      approvedBy: 'agent.smith',
    });
    const badPayload = envelope(Events.TicketTwoFactorApproved, {
      ticketId: 'not-a-uuid',
      resellerId: 'Not Valid!',
      action: 'maybe',
    } as never);

    beforeAll(async () => {
      reseller = await gw.factory.reseller();
      admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    });

    it('dead-letters what cannot be read or handled, after a bounded number of tries, and keeps handling later events', async () => {
      const startedAt = Date.now();
      // Not JSON: both consumers of the routing key get a copy.
      await publishRaw(
        stack.brokerUrlAs('reseller-settings'),
        [
          {
            routingKey: Events.ResellerTwoFactorChanged,
            body: Buffer.from('this is {not json'),
            messageId: randomUUID(),
          },
        ],
        { userId: stack.brokerUsers['reseller-settings'] },
      );
      // From their rightful publisher, so what they show is how the consumer handles what it reads.
      await publishRaw(
        stack.brokerUrlAs('tickets'),
        [
          // JSON, but not a valid payload.
          {
            routingKey: Events.TicketTwoFactorApproved,
            body: Buffer.from(JSON.stringify({ pattern: badPayload.name, data: badPayload })),
            messageId: badPayload.eventId,
          },
          // Valid, but its effect fails every time (no such reseller).
          {
            routingKey: Events.TicketTwoFactorApproved,
            body: Buffer.from(JSON.stringify({ pattern: unhandleable.name, data: unhandleable })),
            messageId: unhandleable.eventId,
          },
        ],
        { userId: stack.brokerUsers.tickets },
      );
      await eventually(
        async () => expect(await deadDepths()).toEqual({ auth: 1, tickets: 1, 'reseller-settings': 2 }),
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const deadLetteredMs = Date.now() - startedAt;

      // A good event after them still takes effect, in every consumer.
      const ticket = await switchResellerTwoFactor(gw, admin, true);
      expect(ticket.status).toBe('resolved');
      await settled(stack.databaseUrl, stack.vhost);
      const tries = stack
        .logs('reseller-settings')
        .split('\n')
        .filter((line) => line.includes(unhandleable.eventId) || /ghost-/.test(line)).length;
      console.log(
        `poison: 1 non-JSON message (to auth and tickets), 1 bad payload and 1 event whose effect fails (reseller-settings);` +
          ` all dead-lettered within ${deadLetteredMs} ms (CONSUMER_MAX_ATTEMPTS=${MAX_ATTEMPTS}, ${tries} log lines about the failing one);` +
          ' the next approval took effect',
      );
    });

    it("shows the dead letters and how handling ended on each service's /metrics", async () => {
      const metrics = await (await fetch(`${stack.managementUrls('reseller-settings')[0]}/metrics`)).text();
      expect(metrics).toMatch(/^pbx2fa_dead_letters 2$/m);
      expect(metrics).toMatch(
        /pbx2fa_events_consumed_total\{event="ticket.two_factor.approved",result="dead_lettered"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /pbx2fa_events_consumed_total\{event="ticket.two_factor.approved",result="failed_attempt"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /pbx2fa_events_consumed_total\{event="ticket.two_factor.approved",result="applied"\} [1-9]/,
      );
    });

    it('lists dead letters with the dead-letters command, leaving them in place', async () => {
      const { stdout } = await deadLetters('list', 'reseller-settings');
      const [json, summary] = [stdout.slice(0, stdout.lastIndexOf(']') + 1), stdout.slice(stdout.lastIndexOf(']') + 1)];
      const letters = JSON.parse(json) as { eventId: string; eventName: string; reason: string; body: string }[];
      expect(letters.map((letter) => letter.eventId).sort()).toEqual([badPayload.eventId, unhandleable.eventId].sort());
      expect(
        letters.every((letter) => letter.eventName === Events.TicketTwoFactorApproved && letter.reason === 'rejected'),
      ).toBe(true);
      expect(summary).toMatch(/2 dead letter\(s\) in reseller-settings\.events\.dead/);
      const auth = await deadLetters('list', 'auth');
      expect(auth.stdout).toContain('this is {not json');
      expect(await deadDepths()).toEqual({ auth: 1, tickets: 1, 'reseller-settings': 2 });
    });

    it('replays dead letters to their own consumer only: what can now be handled takes effect, the rest comes back', async () => {
      // The reseller the failing event named exists now.
      const created = await gw.agent.post<ResellerView>('/resellers', { id: ghost, name: 'Ghost Voice' });
      expect(created.status).toBe(201);

      const { stdout } = await deadLetters('replay', 'reseller-settings');
      expect(stdout).toMatch(/replayed 2 dead letter\(s\) from reseller-settings\.events\.dead/);
      await eventually(async () => {
        const [row] = await query(
          stack.databaseUrl,
          'SELECT two_factor_enabled, version FROM reseller_settings.resellers WHERE id = $1',
          [ghost],
        );
        expect(row).toEqual({ two_factor_enabled: true, version: created.body.version + 1 });
      });
      await eventually(
        async () => expect(await deadDepths()).toEqual({ auth: 1, tickets: 1, 'reseller-settings': 1 }),
        { timeoutMs: 15_000 },
      );

      // The unreadable message goes back to auth alone, not to every consumer of its routing key.
      expect((await deadLetters('replay', 'auth')).stdout).toMatch(/replayed 1 dead letter/);
      await settled(stack.databaseUrl, stack.vhost);
      await eventually(async () => expect(await deadDepths()).toEqual({ auth: 1, tickets: 1, 'reseller-settings': 1 }));
      console.log(
        'dead letters: listed 2 for reseller-settings; replayed 2, 1 took effect (version +1), 1 came back; a replay reached only its own consumer',
      );
    });
  });
});
