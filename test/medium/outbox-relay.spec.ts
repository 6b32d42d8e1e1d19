import type { DataSource } from 'typeorm';
import { Events, type EventEnvelope } from '@pbx2fa/contracts';
import { OutboxRelay, OutboxWriter, type BrokerPublisher } from '@pbx2fa/messaging';
import { openMediumDatabase, type MediumDatabase } from './support/databases';
import { capturedLogs } from './support/fake-delivery';

/**
 * A broker that confirms, refuses or holds each publish as the test says, and notices a message
 * published while an earlier one of its reseller is still unconfirmed.
 */
class FakeBroker {
  /** Event ids in the order publish was called. */
  readonly calls: string[] = [];
  /** Event ids in the order the broker confirmed them. */
  readonly confirmed: string[] = [];
  readonly overtaken: string[] = [];
  readonly connectListeners: (() => void)[] = [];
  private readonly inFlight = new Map<string, string>();
  /** Decides each publish: resolve to confirm, throw to refuse. */
  decide: (envelope: EventEnvelope) => Promise<void> = () => Promise.resolve();

  readonly publisher = {
    publish: (envelope: EventEnvelope) => this.publish(envelope),
    onConnect: (listener: () => void) => this.connectListeners.push(listener),
  } as unknown as BrokerPublisher;

  private async publish(envelope: EventEnvelope): Promise<void> {
    const reseller = (envelope.payload as { resellerId: string }).resellerId;
    this.calls.push(envelope.eventId);
    if (this.inFlight.has(reseller)) this.overtaken.push(envelope.eventId);
    this.inFlight.set(reseller, envelope.eventId);
    try {
      await this.decide(envelope);
      this.confirmed.push(envelope.eventId);
    } finally {
      this.inFlight.delete(reseller);
    }
  }
}

const eventually = async (check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('OutboxRelay against PostgreSQL', () => {
  let db: MediumDatabase;
  let dataSource: DataSource;
  let broker: FakeBroker;
  let relays: OutboxRelay[];
  let logs: ReturnType<typeof capturedLogs>;
  const writer = new OutboxWriter();

  const newRelay = (outboxPollMs = 3_600_000, source: DataSource = dataSource) => {
    const relay = new OutboxRelay(source, broker.publisher, {
      service: 'tickets',
      rabbitmqUrls: [],
      queueType: 'quorum',
      rpcTimeoutMs: 1000,
      outboxPollMs,
      consumerMaxAttempts: 3,
      brokerUser: 'guest',
      serviceUsers: { auth: 'guest', tickets: 'guest', 'reseller-settings': 'guest' },
    });
    relays.push(relay);
    return relay;
  };

  /** Commits one outbox row per reseller named, in order; answers their event ids. */
  const write = (...resellers: string[]) =>
    dataSource.transaction(async (manager) => {
      const ids: string[] = [];
      for (const resellerId of resellers) {
        const envelope = await writer.add(
          manager,
          Events.ResellerCreated,
          { resellerId, name: `Reseller ${resellerId}` },
          'corr-relay',
        );
        ids.push(envelope.eventId);
      }
      return ids;
    });

  const rows = (): Promise<{ eventId: string; published: boolean; attempts: number; lastError: string | null }[]> =>
    dataSource.query(
      `SELECT event_id AS "eventId", published_at IS NOT NULL AS published, attempts, last_error AS "lastError"
         FROM outbox ORDER BY position`,
    );
  const allPublished = async () => (await rows()).every((row) => row.published);

  beforeAll(async () => {
    db = await openMediumDatabase('tickets', 'relay');
    dataSource = db.dataSource;
  });

  afterAll(() => db?.close());

  beforeEach(async () => {
    logs = capturedLogs();
    broker = new FakeBroker();
    relays = [];
    await dataSource.query('TRUNCATE outbox');
  });

  afterEach(async () => {
    await Promise.all(relays.map((relay) => relay.onApplicationShutdown()));
    logs.restore();
  });

  it('publishes committed rows when kicked and marks each one published once the broker confirmed it', async () => {
    const ids = await write('acme', 'globex');
    const relay = newRelay();
    relay.kick();
    await eventually(allPublished, 'both rows published');
    expect(broker.confirmed.sort()).toEqual([...ids].sort());
    expect(await rows()).toEqual(ids.map((eventId) => ({ eventId, published: true, attempts: 1, lastError: null })));
  });

  it('publishes the envelope as it was written', async () => {
    const published: EventEnvelope[] = [];
    broker.decide = (envelope) => Promise.resolve(void published.push(envelope));
    await write('acme');
    newRelay().kick();
    await eventually(allPublished, 'the row published');
    expect(published).toEqual([
      {
        eventId: expect.any(String) as string,
        name: Events.ResellerCreated,
        occurredAt: expect.any(String) as string,
        correlationId: 'corr-relay',
        payload: { resellerId: 'acme', name: 'Reseller acme' },
      },
    ]);
  });

  it('does not mark a row published while the broker has not confirmed it', async () => {
    let confirm!: () => void;
    broker.decide = () => new Promise<void>((resolve) => (confirm = resolve));
    await write('acme');
    newRelay().kick();
    await eventually(() => broker.calls.length === 1, 'the publish');
    expect(await rows()).toMatchObject([{ published: false }]);
    confirm();
    await eventually(allPublished, 'the row published');
  });

  it('keeps each reseller’s order: one unconfirmed message per reseller, the next only after it is confirmed', async () => {
    const slow = new Set<string>();
    broker.decide = (envelope) => new Promise((resolve) => setTimeout(resolve, slow.has(envelope.eventId) ? 100 : 5));
    const [a1, b1, a2, a3, b2] = await write('a', 'b', 'a', 'a', 'b');
    slow.add(a1);
    newRelay().kick();
    await eventually(allPublished, 'every row published');
    expect(broker.overtaken).toEqual([]);
    expect(broker.confirmed.filter((id) => [a1, a2, a3].includes(id))).toEqual([a1, a2, a3]);
    expect(broker.confirmed.filter((id) => [b1, b2].includes(id))).toEqual([b1, b2]);
    // Another reseller's first message is published beside the slow one, not after it.
    expect(broker.confirmed.indexOf(b1)).toBeLessThan(broker.confirmed.indexOf(a1));
  });

  it('retries a refused message, notes why, and lets nothing of its reseller overtake it', async () => {
    const [a1, a2, b1] = await write('a', 'a', 'b');
    let refusals = 2;
    broker.decide = (envelope) =>
      envelope.eventId === a1 && refusals-- > 0 ? Promise.reject(new Error('broker said no')) : Promise.resolve();
    newRelay().kick();
    await eventually(allPublished, 'every row published after the refusals');
    expect(broker.confirmed).toEqual([b1, a1, a2]);
    expect(broker.calls.filter((id) => id === a2)).toHaveLength(1);
    expect(await rows()).toEqual([
      { eventId: a1, published: true, attempts: 3, lastError: 'broker said no' },
      { eventId: a2, published: true, attempts: 1, lastError: null },
      { eventId: b1, published: true, attempts: 1, lastError: null },
    ]);
    expect(logs.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      'outbox publish failed (try 1, next in 200 ms): broker said no',
      'outbox publish failed (try 2, next in 400 ms): broker said no',
    ]);
  });

  it('notes the reason of a refusal that carries no Error', async () => {
    await write('a');
    let refused = false;
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a broker library may reject with a string
    broker.decide = () => (refused ? Promise.resolve() : ((refused = true), Promise.reject('nack')));
    newRelay().kick();
    await eventually(allPublished, 'the row published');
    expect((await rows())[0]).toMatchObject({ lastError: 'nack', attempts: 2 });
  });

  it('publishes more than one batch of 200 in one go', async () => {
    await write(...Array.from({ length: 230 }, (_, i) => `reseller-${i}`));
    newRelay().kick();
    await eventually(allPublished, 'all 230 rows published');
    expect(broker.calls).toHaveLength(230);
  });

  it('publishes what was written while it was publishing (a kick during a run is not lost)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    broker.decide = () => held;
    await write('a');
    const relay = newRelay();
    relay.kick();
    await eventually(() => broker.calls.length === 1, 'the first publish');
    await write('b');
    relay.kick();
    release();
    await eventually(allPublished, 'the row written during the run');
  });

  it('lets one replica publish at a time: two relays on one database publish each message once', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    broker.decide = () => held;
    const ids = await write('a', 'b', 'c');
    const one = newRelay();
    const two = newRelay(3_600_000, await db.another());
    one.kick();
    await eventually(() => broker.calls.length === 3, 'the first replica publishing');
    two.kick();
    // Stopping waits for the run in progress: the second replica's try while the first holds the rows.
    await two.onApplicationShutdown();
    release();
    await eventually(allPublished, 'every row published');
    expect(broker.calls.sort()).toEqual([...ids].sort());
  });

  it('at start publishes what was waiting, and polls for rows committed without a kick', async () => {
    await write('a');
    const relay = newRelay(50);
    relay.onApplicationBootstrap();
    await eventually(allPublished, 'the waiting row');
    await write('b');
    await eventually(allPublished, 'the row found by polling');
  });

  it('publishes at once when the broker connects again, and starts its backoff afresh', async () => {
    let refusing = true;
    broker.decide = () => (refusing ? Promise.reject(new Error('broker away')) : Promise.resolve());
    await write('a');
    const relay = newRelay();
    relay.onApplicationBootstrap();
    const warnings = () => logs.lines.filter((line) => line.level === 'warn').map((line) => line.message);
    await eventually(() => warnings().length === 2, 'two failed tries');
    expect(warnings()[1]).toBe('outbox publish failed (try 2, next in 400 ms): broker away');
    for (const listener of broker.connectListeners) listener();
    // The try on reconnection counts from one again (a retry due at that moment may come first).
    await eventually(
      () => warnings().slice(2).includes('outbox publish failed (try 1, next in 200 ms): broker away'),
      'a first try again',
    );
    refusing = false;
    // Rows committed without a kick while polling is an hour away: only the reconnection publishes them.
    await eventually(allPublished, 'the retried row');
    await write('b');
    for (const listener of broker.connectListeners) listener();
    await eventually(allPublished, 'the row published on reconnection');
  });

  it('publishes nothing once stopped, and waits for a run in progress to finish', async () => {
    let release!: () => void;
    broker.decide = () => new Promise<void>((resolve) => (release = resolve));
    await write('a');
    const relay = newRelay();
    relay.kick();
    await eventually(() => broker.calls.length === 1, 'the publish');
    let stopped = false;
    const stopping = relay.onApplicationShutdown().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await allPublished()).toBe(true);
    await write('b');
    relay.kick();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(broker.calls).toHaveLength(1);
  });
});
