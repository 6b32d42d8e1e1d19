import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import {
  EVENTS_EXCHANGE,
  Events,
  ResellerRpc,
  type Actor,
  type EventEnvelope,
  type RpcResult,
  type ServiceName,
} from '@pbx2fa/contracts';
import { eventually, type Gateway, type ResellerView, type SignedInUser } from './support/api';
import { queueDepths } from './support/broker';
import { settled } from './support/burst';
import { metricValue } from './support/metrics';
import { type Stack } from './support/stack';
import {
  enroll,
  passwordLogin,
  signInWithPasscode,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { brokerAnswer, envelope, packet, publishRaw, query, rpcCall } from './support/wire';
import { useStack } from './support/e2e';

/**
 * Each service connects to RabbitMQ as its own user (the harness creates them with the project's
 * own permission table, as compose's definitions file does). Holding another account on the
 * broker — another service's, or the gateway's — is not enough to wipe someone's authenticator,
 * pin a reseller's 2FA with a huge version, or ask a service for anything: the broker validates
 * each message's user_id, and consumers and RPC servers check it against the contract.
 */
describe('one broker user per service', () => {
  let stack: Stack;
  let gw: Gateway;
  let reseller: ResellerView;
  let admin: SignedInUser;
  let eve: EnrolledUser;

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {
    reseller = await gw.factory.reseller();
    admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    eve = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
  });

  const deadLetters = async (service: ServiceName) =>
    (await queueDepths(stack.vhost)).get(`${service}.events.dead`)?.messages ?? 0;
  const refusedAt = (service: ServiceName, event: string) =>
    metricValue(stack.managementUrls(service)[0], 'pbx2fa_events_consumed_total', {
      event,
      result: 'refused_publisher',
    });

  /** Publishes one event as a service's broker user (its own user_id, which the broker accepts). */
  const publishAs = (as: ServiceName, event: EventEnvelope, exchange: string, routingKey: string) =>
    publishRaw(stack.brokerUrlAs(as), [{ routingKey, body: packet(event), messageId: event.eventId }], {
      userId: stack.brokerUsers[as],
      exchange,
    });

  /** Everything a forged event could change for the reseller and Eve, read without side effects. */
  async function observe() {
    const [policy] = await query(
      stack.databaseUrl,
      'SELECT two_factor_enabled, version FROM auth.reseller_policies WHERE reseller_id = $1',
      [reseller.id],
    );
    const [settings] = await query(
      stack.databaseUrl,
      'SELECT two_factor_enabled, version FROM reseller_settings.resellers WHERE id = $1',
      [reseller.id],
    );
    const me = await eve.client.get('/auth/me');
    return { policy, settings, eve: me.body.twoFactor };
  }

  describe('forged events', () => {
    it("refuses a ticket.user_two_factor_reset.approved sent by reseller-settings' user or the gateway's: Eve keeps her authenticator, each is dead-lettered and counted", async () => {
      const before = await observe();
      const [deadBefore, refusedBefore] = [
        await deadLetters('auth'),
        await refusedAt('auth', Events.TicketUserTwoFactorResetApproved),
      ];
      const forged = () =>
        envelope(Events.TicketUserTwoFactorResetApproved, {
          ticketId: randomUUID(),
          resellerId: reseller.id,
          targetUsername: eve.username,
          approvedBy: stack.agent.username,
        });
      const attempts: { as: ServiceName; exchange: string; routingKey: string; event: EventEnvelope }[] = [
        // Straight into auth's queue through the default exchange, which both users may write to (requests, replies).
        { as: 'auth', exchange: '', routingKey: 'auth.events', event: forged() },
        { as: 'reseller-settings', exchange: '', routingKey: 'auth.events', event: forged() },
        // Through the events exchange under a key reseller-settings may publish and auth's queue is bound to.
        { as: 'reseller-settings', exchange: EVENTS_EXCHANGE, routingKey: Events.ResellerCreated, event: forged() },
      ];
      for (const { as, exchange, routingKey, event } of attempts) await publishAs(as, event, exchange, routingKey);

      await eventually(async () => expect(await deadLetters('auth')).toBe(deadBefore + attempts.length));
      expect(await refusedAt('auth', Events.TicketUserTwoFactorResetApproved)).toBe(refusedBefore + attempts.length);
      await settled(stack.databaseUrl, stack.vhost);
      expect(await observe()).toEqual(before);
      expect(before.eve).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 10,
      });
      await expect(signInWithPasscode(gw.anon, eve)).resolves.toEqual(expect.any(String));
      const handled = await query(
        stack.databaseUrl,
        'SELECT event_id FROM auth.inbox WHERE event_id = ANY($1::uuid[])',
        [attempts.map(({ event }) => event.eventId)],
      );
      expect(handled).toEqual([]);
      for (const as of ['auth', 'reseller-settings'] as const) {
        expect(stack.logs('auth')).toContain(
          `sent by broker user ${stack.brokerUsers[as]}, but only tickets (broker user ${stack.brokerUsers.tickets}) publishes ticket.user_two_factor_reset.approved`,
        );
      }

      // The same event from its rightful publisher is obeyed: the refusal above was about who sent it.
      const frank = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
      const genuine = envelope(Events.TicketUserTwoFactorResetApproved, {
        ticketId: randomUUID(),
        resellerId: reseller.id,
        targetUsername: frank.username,
        approvedBy: stack.agent.username,
      });
      await publishAs('tickets', genuine, EVENTS_EXCHANGE, genuine.name);
      await eventually(async () => expect((await passwordLogin(gw.anon, frank)).body.status).toBe('authenticated'));
      console.log(
        `forged resets: ${attempts.length} refused and dead-lettered (gateway's user, reseller-settings' user by the default and the events exchange); the one from tickets' user applied`,
      );
    });

    it("refuses a reseller.two_factor.changed with a huge version sent by tickets' user or the gateway's: the policy stays, and the next real change applies", async () => {
      const before = await observe();
      const dead = async () => ({ auth: await deadLetters('auth'), tickets: await deadLetters('tickets') });
      const deadBefore = await dead();
      const refusedBefore = {
        auth: await refusedAt('auth', Events.ResellerTwoFactorChanged),
        tickets: await refusedAt('tickets', Events.ResellerTwoFactorChanged),
      };
      const forged = () =>
        envelope(Events.ResellerTwoFactorChanged, {
          resellerId: reseller.id,
          enabled: false,
          version: 2_000_000_000,
          sourceTicketId: null,
        });
      // Each forger writes into both consumers' queues through the default exchange.
      for (const as of ['tickets', 'auth'] as const) {
        for (const queue of ['auth.events', 'tickets.events']) await publishAs(as, forged(), '', queue);
      }

      await eventually(async () =>
        expect(await dead()).toEqual({ auth: deadBefore.auth + 2, tickets: deadBefore.tickets + 2 }),
      );
      expect({
        auth: await refusedAt('auth', Events.ResellerTwoFactorChanged),
        tickets: await refusedAt('tickets', Events.ResellerTwoFactorChanged),
      }).toEqual({ auth: refusedBefore.auth + 2, tickets: refusedBefore.tickets + 2 });
      await settled(stack.databaseUrl, stack.vhost);
      expect(await observe()).toEqual(before);
      expect((await passwordLogin(gw.anon, eve)).body.status).toBe('two_factor_required');

      // A huge version never landed, so the next genuine change is not taken for a stale one.
      await switchResellerTwoFactor(gw, admin, false);
      const after = await observe();
      expect(after.policy).toEqual({ two_factor_enabled: false, version: (before.policy.version as number) + 1 });
      expect((await passwordLogin(gw.anon, eve)).body.status).toBe('authenticated');
      console.log(
        `forged policy changes: 4 refused (tickets' and the gateway's user, into auth's and tickets' queues); the next real change applied`,
      );
    });
  });

  describe('the broker', () => {
    const someEvent = () =>
      envelope(Events.TicketTwoFactorApproved, {
        ticketId: randomUUID(),
        resellerId: 'nobody-here',
        action: 'enable',
        approvedBy: 'nobody',
      });

    it("refuses a publish whose user_id is not the connection's own user: no service can sign as another", async () => {
      const answer = await brokerAnswer(stack.brokerUrlAs('reseller-settings'), (channel) => {
        channel.publish(EVENTS_EXCHANGE, Events.ResellerCreated, packet(someEvent()), {
          userId: stack.brokerUsers.tickets,
        });
      });
      expect(answer).toContain(
        `PRECONDITION_FAILED - user_id property set to '${stack.brokerUsers.tickets}' but authenticated user was '${stack.brokerUsers['reseller-settings']}'`,
      );
    });

    it('refuses the routing keys a service does not publish', async () => {
      const answer = await brokerAnswer(stack.brokerUrlAs('auth'), (channel) => {
        channel.publish(EVENTS_EXCHANGE, Events.TicketTwoFactorApproved, packet(someEvent()), {
          userId: stack.brokerUsers.auth,
        });
      });
      expect(answer).toContain(`ACCESS_REFUSED - access to topic '${Events.TicketTwoFactorApproved}' in exchange`);
      expect(await queueDepths(stack.vhost).then((depths) => depths.get('reseller-settings.events')?.messages)).toBe(0);
    });

    it.each([
      ['consume the queue of auth', (c: ConfirmChannel) => c.consume('auth.events', () => {})],
      ['take from the dead letters of auth', (c: ConfirmChannel) => c.get('auth.events.dead')],
      ['purge the queue of auth', (c: ConfirmChannel) => c.purgeQueue('auth.events')],
      ['delete the queue of auth', (c: ConfirmChannel) => c.deleteQueue('auth.events')],
      [
        'bind its own queue to an event it does not consume',
        (c: ConfirmChannel) => c.bindQueue('tickets.events', EVENTS_EXCHANGE, Events.TicketUserTwoFactorResetApproved),
      ],
      [
        'declare (or redefine) the events exchange',
        (c: ConfirmChannel) => c.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true }),
      ],
    ])("does not let tickets' user %s", async (_what, operation) => {
      const before = await queueDepths(stack.vhost);
      expect(await brokerAnswer(stack.brokerUrlAs('tickets'), operation)).toMatch(/403 \(ACCESS-REFUSED\)/);
      const after = await queueDepths(stack.vhost);
      expect(after.get('auth.events')).toEqual(before.get('auth.events'));
      expect(after.get('auth.events.dead')?.messages).toBe(before.get('auth.events.dead')?.messages);
    });
  });

  describe('requests', () => {
    it("answers 403 to a request that is not from the gateway's user, whatever actor it claims, and does nothing", async () => {
      const me = await gw.agent.get('/auth/me');
      const actor: Actor = { userId: me.body.id, username: me.body.username, role: 'agent', resellerId: null };
      const create = (id: string) => ({
        correlationId: `e2e-${randomUUID()}`,
        actor,
        body: { id, name: 'Forged Telecom' },
      });
      const refusedBefore = await metricValue(stack.managementUrls('reseller-settings')[0], 'pbx2fa_rpc_refused_total');
      const forgedIds: string[] = [];
      for (const [url, userId] of [
        [stack.brokerUrlAs('tickets'), stack.brokerUsers.tickets],
        // An administrator of the broker that is not the gateway, without any user_id.
        [stack.rabbitmqUrl, undefined],
      ] as const) {
        const id = `forged-${randomUUID().slice(0, 8)}`;
        forgedIds.push(id);
        const answer = await rpcCall<RpcResult<ResellerView>>(
          url,
          'reseller-settings.rpc',
          ResellerRpc.Create,
          create(id),
          {
            userId,
          },
        );
        expect(answer).toEqual({
          ok: false,
          error: { statusCode: 403, error: 'forbidden', message: 'Only the gateway may send requests here.' },
        });
      }
      expect(await metricValue(stack.managementUrls('reseller-settings')[0], 'pbx2fa_rpc_refused_total')).toBe(
        refusedBefore + 2,
      );
      const rows = await query(stack.databaseUrl, 'SELECT id FROM reseller_settings.resellers WHERE id = ANY($1)', [
        forgedIds,
      ]);
      expect(rows).toEqual([]);
      expect(stack.logs('reseller-settings')).toContain(
        `refused resellers.create from broker user ${stack.brokerUsers.tickets}: only the gateway's user ${stack.brokerUsers.auth} may call reseller-settings.rpc`,
      );

      // The same request from the gateway's user is served: the refusal was about who asked.
      const id = `genuine-${randomUUID().slice(0, 8)}`;
      const served = await rpcCall<RpcResult<ResellerView>>(
        stack.brokerUrlAs('auth'),
        'reseller-settings.rpc',
        ResellerRpc.Create,
        create(id),
        { userId: stack.brokerUsers.auth },
      );
      expect(served).toMatchObject({ ok: true, value: { id } });
    });
  });
});
