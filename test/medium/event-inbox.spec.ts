import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { Events, type EventEnvelope, type EventName } from '@pbx2fa/contracts';
import { EventInbox, eventsConsumed, oncePerTicket, retryDelayMs, type OutboxRelay } from '@pbx2fa/messaging';
import { openMediumDatabase, type MediumDatabase } from './support/databases';
import { capturedLogs, fakeDelivery } from './support/fake-delivery';

const RESET = Events.UserTwoFactorReset;
type Reset = typeof RESET;

function resetEvent(overrides: Partial<EventEnvelope<Reset>> = {}, ticketId = randomUUID()): EventEnvelope<Reset> {
  return {
    eventId: randomUUID(),
    name: RESET,
    occurredAt: new Date().toISOString(),
    correlationId: 'corr-1',
    payload: { ticketId, resellerId: 'acme', username: 'alice' },
    ...overrides,
  };
}

/** An error PostgreSQL gives for a failure that passes by itself (a lost serialization race). */
const transientFailure = () => Object.assign(new Error('could not serialize access'), { code: '40001' });

/** What `eventsConsumed` counted for an event name, by result. */
async function consumedCounts(event: EventName): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { labels, value } of (await eventsConsumed.get()).values) {
    if (labels.event === event) counts[String(labels.result)] = value;
  }
  return counts;
}

describe('EventInbox against PostgreSQL', () => {
  let db: MediumDatabase;
  let dataSource: DataSource;
  let kicks: number;
  let inbox: EventInbox;
  let logs: ReturnType<typeof capturedLogs>;
  const relay = { kick: () => kicks++ } as unknown as OutboxRelay;
  const newInbox = (consumerMaxAttempts: number) =>
    new EventInbox(dataSource, relay, {
      service: 'tickets',
      rabbitmqUrls: [],
      queueType: 'quorum',
      rpcTimeoutMs: 1000,
      outboxPollMs: 1000,
      consumerMaxAttempts,
      brokerUser: 'guest',
      serviceUsers: { auth: 'guest', tickets: 'guest', 'reseller-settings': 'guest' },
    });

  beforeAll(async () => {
    db = await openMediumDatabase('tickets', 'inbox');
    dataSource = db.dataSource;
    await dataSource.query('CREATE TABLE IF NOT EXISTS effects (event_id uuid NOT NULL, note text NOT NULL)');
  });

  afterAll(() => db?.close());

  beforeEach(async () => {
    logs = capturedLogs();
    kicks = 0;
    eventsConsumed.reset();
    inbox = newInbox(3);
    await dataSource.query('TRUNCATE inbox, effects');
  });

  afterEach(() => logs.restore());

  /** The effect the tests give the inbox: one row in `effects` per time it ran and committed. */
  const recordEffect =
    (note = 'applied') =>
    (manager: EntityManager, event: EventEnvelope<Reset>) =>
      manager
        .query('INSERT INTO effects (event_id, note) VALUES ($1, $2)', [event.eventId, note])
        .then(() => undefined);

  const effects = () => dataSource.query('SELECT event_id AS "eventId", note FROM effects ORDER BY note');
  const inboxRows = () =>
    dataSource.query('SELECT event_id AS "eventId", event_name AS "eventName", effect_key AS "effectKey" FROM inbox');

  describe('an event applied once', () => {
    it('runs the effect, records the event in the inbox, acknowledges it and asks the relay to publish', async () => {
      const event = resetEvent();
      const delivery = fakeDelivery();
      await inbox.consume(RESET, event, delivery.context, recordEffect());
      expect(await effects()).toEqual([{ eventId: event.eventId, note: 'applied' }]);
      expect(await inboxRows()).toEqual([{ eventId: event.eventId, eventName: RESET, effectKey: null }]);
      expect(delivery.settled).toEqual([{ outcome: 'ack' }]);
      expect(kicks).toBe(1);
      expect(await consumedCounts(RESET)).toEqual({ applied: 1 });
    });

    it('hands the effect the parsed event, with the payload as its schema reads it', async () => {
      const seen: EventEnvelope<Reset>[] = [];
      const event = resetEvent();
      await inbox.consume(
        RESET,
        { ...event, payload: { ...event.payload, extra: 'dropped' } },
        fakeDelivery().context,
        (_m, e) => {
          seen.push(e);
          return Promise.resolve();
        },
      );
      expect(seen).toEqual([event]);
    });

    it('acknowledges only after the effect has committed: at the ack another connection sees it', async () => {
      const other = await db.another();
      const event = resetEvent();
      let seenAtAck: Promise<unknown[]> | undefined;
      const delivery = fakeDelivery({
        onSettle: () => {
          seenAtAck = other.query('SELECT event_id FROM effects WHERE event_id = $1', [event.eventId]);
        },
      });
      await inbox.consume(RESET, event, delivery.context, recordEffect());
      expect(await seenAtAck).toHaveLength(1);
    });

    it('changes nothing for a redelivery of the same event: acknowledged as a duplicate, nothing published', async () => {
      const event = resetEvent();
      await inbox.consume(RESET, event, fakeDelivery().context, recordEffect('first'));
      const again = fakeDelivery();
      await inbox.consume(RESET, event, again.context, recordEffect('second'));
      expect(await effects()).toEqual([{ eventId: event.eventId, note: 'first' }]);
      expect(again.settled).toEqual([{ outcome: 'ack' }]);
      expect(kicks).toBe(1);
      expect(await consumedCounts(RESET)).toEqual({ applied: 1, duplicate: 1 });
      expect(logs.lines).toContainEqual({ level: 'log', message: `ignored duplicate ${RESET} ${event.eventId}` });
    });

    it('applies an event delivered twice at once (two consumers) exactly once, and acknowledges both', async () => {
      const other = newInbox(3);
      const event = resetEvent();
      const [one, two] = [fakeDelivery(), fakeDelivery()];
      // The effect is slow, so both deliveries are inside their transactions at the same time.
      const slowEffect = async (manager: EntityManager, e: EventEnvelope<Reset>) => {
        await manager.query('SELECT pg_sleep(0.2)');
        await recordEffect()(manager, e);
      };
      await Promise.all([
        inbox.consume(RESET, event, one.context, slowEffect),
        other.consume(RESET, event, two.context, slowEffect),
      ]);
      expect(await effects()).toHaveLength(1);
      expect([...one.settled, ...two.settled]).toEqual([{ outcome: 'ack' }, { outcome: 'ack' }]);
    });
  });

  describe('once per ticket', () => {
    it('applies a ticket’s decision once, whatever event id carries it', async () => {
      const ticketId = randomUUID();
      const first = resetEvent({}, ticketId);
      const republished = resetEvent({}, ticketId);
      await inbox.consume(RESET, first, fakeDelivery().context, recordEffect('first'), oncePerTicket);
      const again = fakeDelivery();
      await inbox.consume(RESET, republished, again.context, recordEffect('second'), oncePerTicket);
      expect(await effects()).toEqual([{ eventId: first.eventId, note: 'first' }]);
      expect(again.settled).toEqual([{ outcome: 'ack' }]);
      expect(await inboxRows()).toEqual([
        { eventId: first.eventId, eventName: RESET, effectKey: `ticket:${ticketId}` },
      ]);
    });

    it('applies the decisions of two tickets each', async () => {
      await inbox.consume(RESET, resetEvent(), fakeDelivery().context, recordEffect('a'), oncePerTicket);
      await inbox.consume(RESET, resetEvent(), fakeDelivery().context, recordEffect('b'), oncePerTicket);
      expect(await effects()).toHaveLength(2);
    });
  });

  describe('a message that cannot be read goes to the dead letters at once', () => {
    const valid = resetEvent();
    it.each([
      ['not an envelope', 'hello', 'envelope: '],
      ['an envelope without an event id', { ...valid, eventId: undefined }, 'envelope: '],
      ['another event than its routing key says', { ...valid, name: Events.ResellerCreated }, 'does not match routing'],
      [
        'a payload its schema refuses',
        { ...valid, payload: { ...valid.payload, ticketId: 'nope' } },
        'payload: ticketId',
      ],
    ])('%s', async (_case, data, reason) => {
      const delivery = fakeDelivery();
      let ran = false;
      await inbox.consume(RESET, data, delivery.context, () => Promise.resolve(void (ran = true)));
      expect(ran).toBe(false);
      expect(delivery.settled).toEqual([{ outcome: 'nack', allUpTo: false, requeue: false }]);
      expect(await inboxRows()).toEqual([]);
      expect(kicks).toBe(0);
      expect(await consumedCounts(RESET)).toEqual({ dead_lettered: 1 });
      expect(logs.lines).toEqual([
        { level: 'error', message: expect.stringContaining(`dead-lettering unreadable ${RESET} message: `) as string },
      ]);
      expect(logs.lines[0].message).toContain(reason);
    });
  });

  describe('an effect that fails', () => {
    it('is tried again in place, and its failed tries leave nothing behind', async () => {
      const event = resetEvent();
      let tries = 0;
      const delivery = fakeDelivery();
      await inbox.consume(RESET, event, delivery.context, async (manager, e) => {
        tries++;
        await recordEffect(`try ${tries}`)(manager, e);
        if (tries < 3) throw new Error('the effect broke a rule');
      });
      expect(tries).toBe(3);
      expect(await effects()).toEqual([{ eventId: event.eventId, note: 'try 3' }]);
      expect(await inboxRows()).toHaveLength(1);
      expect(delivery.settled).toEqual([{ outcome: 'ack' }]);
      expect(await consumedCounts(RESET)).toEqual({ failed_attempt: 2, applied: 1 });
      expect(logs.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
        `${RESET} ${event.eventId} failed (attempt 1), retrying: the effect broke a rule`,
        `${RESET} ${event.eventId} failed (attempt 2), retrying: the effect broke a rule`,
      ]);
    });

    it('goes to the dead letters after the configured number of tries, unacknowledged and unrecorded', async () => {
      const event = resetEvent();
      let tries = 0;
      const delivery = fakeDelivery();
      await inbox.consume(RESET, event, delivery.context, () => {
        tries++;
        return Promise.reject(new Error('always broken'));
      });
      expect(tries).toBe(3);
      expect(delivery.settled).toEqual([{ outcome: 'nack', allUpTo: false, requeue: false }]);
      expect(await inboxRows()).toEqual([]);
      expect(kicks).toBe(0);
      expect(await consumedCounts(RESET)).toEqual({ failed_attempt: 2, dead_lettered: 1 });
      expect(logs.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
        `dead-lettering ${RESET} ${event.eventId} after 3 failed attempts: always broken`,
      ]);
    });

    it('with one try allowed, dead-letters at the first failure', async () => {
      const delivery = fakeDelivery();
      let tries = 0;
      await newInbox(1).consume(RESET, resetEvent(), delivery.context, () =>
        Promise.reject(new Error(`try ${++tries}`)),
      );
      expect(tries).toBe(1);
      expect(delivery.settled).toEqual([{ outcome: 'nack', allUpTo: false, requeue: false }]);
    });

    it('waits as long as it takes while the failure passes by itself, never dead-lettering it', async () => {
      const event = resetEvent();
      let tries = 0;
      const delivery = fakeDelivery();
      await newInbox(1).consume(RESET, event, delivery.context, async (manager, e) => {
        if (++tries <= 4) throw transientFailure();
        await recordEffect()(manager, e);
      });
      expect(tries).toBe(5);
      expect(delivery.settled).toEqual([{ outcome: 'ack' }]);
      expect(await effects()).toHaveLength(1);
      expect(await consumedCounts(RESET)).toEqual({ waiting_for_database: 4, applied: 1 });
      // The first three tries are logged, then one in twelve.
      expect(logs.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual(
        [1, 2, 3].map(
          (attempt) =>
            `${RESET} ${event.eventId} failed (attempt ${attempt}, will wait as long as it takes), retrying: could not serialize access`,
        ),
      );
    });

    it('counts only failures that do not pass by themselves toward the dead letters', async () => {
      const delivery = fakeDelivery();
      const failures = [transientFailure(), new Error('broken'), transientFailure(), transientFailure()];
      let tries = 0;
      await newInbox(2).consume(RESET, resetEvent(), delivery.context, async (manager, e) => {
        const failure = failures[tries++];
        if (failure) throw failure;
        await recordEffect()(manager, e);
      });
      expect(tries).toBe(5);
      expect(delivery.settled).toEqual([{ outcome: 'ack' }]);
    });

    it('when the service stops during a retry, leaves the event unsettled for the broker to deliver again', async () => {
      const delivery = fakeDelivery();
      let tries = 0;
      const consuming = inbox.consume(RESET, resetEvent(), delivery.context, () => {
        tries++;
        return Promise.reject(transientFailure());
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      inbox.onApplicationShutdown();
      await consuming;
      expect(tries).toBe(1);
      expect(delivery.settled).toEqual([]);
      expect(logs.lines.at(-1)?.message).toMatch(/^stopping: .* is left to be delivered again$/);
    });

    it('survives a channel that closed before the ack: the effect stays committed, the broker redelivers', async () => {
      const event = resetEvent();
      await inbox.consume(RESET, event, fakeDelivery({ channelClosed: true }).context, recordEffect());
      expect(await effects()).toHaveLength(1);
      expect(logs.lines).toContainEqual({
        level: 'warn',
        message: 'could not ack a message, it will be delivered again: Channel closed',
      });
      const redelivery = fakeDelivery();
      await inbox.consume(RESET, event, redelivery.context, recordEffect('again'));
      expect(redelivery.settled).toEqual([{ outcome: 'ack' }]);
      expect(await effects()).toHaveLength(1);
    });

    it('survives a channel that closed before the nack', async () => {
      await inbox.consume(RESET, 'unreadable', fakeDelivery({ channelClosed: true }).context, recordEffect());
      expect(logs.lines).toContainEqual({
        level: 'warn',
        message: 'could not nack a message, it will be delivered again: Channel closed',
      });
    });
  });

  it('waits 200 ms, 400 ms, … before the next try, never more than five seconds', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelayMs)).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(retryDelayMs(10_000)).toBe(5000);
  });
});
