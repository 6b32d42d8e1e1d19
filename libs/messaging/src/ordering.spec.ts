import { firstOfEachKey, KeyedLanes, orderingKey, orderingKeyOfDelivery } from './ordering';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Work that finishes only when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { work: () => (log.push(`start ${name}`), done.then(() => log.push(`end ${name}`))), open, fail };
}

describe('KeyedLanes', () => {
  it('runs one reseller’s work in the order it came, and waits for the one before', async () => {
    const lanes = new KeyedLanes();
    const log: string[] = [];
    const first = gate(log, 'a1');
    const second = gate(log, 'a2');
    const one = lanes.run('a', first.work);
    const two = lanes.run('a', second.work);
    await tick();
    expect(log).toEqual(['start a1']);
    second.open();
    await tick();
    expect(log).toEqual(['start a1']);
    first.open();
    await Promise.all([one, two]);
    expect(log).toEqual(['start a1', 'end a1', 'start a2', 'end a2']);
  });

  it('lets another reseller’s work run while one reseller’s waits', async () => {
    const lanes = new KeyedLanes();
    const log: string[] = [];
    const slow = gate(log, 'a1');
    const other = gate(log, 'b1');
    const waiting = lanes.run('a', slow.work);
    const passing = lanes.run('b', other.work);
    other.open();
    await passing;
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    slow.open();
    await waiting;
  });

  it('keeps a reseller’s lane while its second piece of work runs: a third waits for the second', async () => {
    const lanes = new KeyedLanes();
    const log: string[] = [];
    const [first, second, third] = ['a1', 'a2', 'a3'].map((name) => gate(log, name));
    const runs = [lanes.run('a', first.work), lanes.run('a', second.work)];
    first.open();
    await runs[0];
    await tick();
    expect(log).toEqual(['start a1', 'end a1', 'start a2']);
    runs.push(lanes.run('a', third.work));
    third.open();
    await tick();
    expect(log).toEqual(['start a1', 'end a1', 'start a2']);
    expect(lanes.busyKeys).toBe(1);
    second.open();
    await Promise.all(runs);
    expect(log).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
  });

  it('hands back what the work returned, and counts each busy key once', async () => {
    const lanes = new KeyedLanes();
    const log: string[] = [];
    const slow = gate(log, 'a1');
    const one = lanes.run('a', slow.work);
    const two = lanes.run('a', () => Promise.resolve('second'));
    const other = lanes.run('b', () => Promise.resolve(42));
    expect(lanes.busyKeys).toBe(2);
    expect(await other).toBe(42);
    slow.open();
    await one;
    expect(await two).toBe('second');
    await tick();
    expect(lanes.busyKeys).toBe(0);
  });

  it('goes on with the next piece of work of a key after one failed, and forgets idle keys', async () => {
    const lanes = new KeyedLanes();
    const log: string[] = [];
    const failing = gate(log, 'a1');
    const next = gate(log, 'a2');
    const one = lanes.run('a', failing.work);
    const two = lanes.run('a', next.work);
    failing.fail(new Error('effect failed'));
    await expect(one).rejects.toThrow('effect failed');
    next.open();
    await two;
    expect(log).toEqual(['start a1', 'start a2', 'end a2']);
    await tick();
    expect(lanes.busyKeys).toBe(0);
  });
  it('runs at most its limit at once, across keys, and lets the next in line in as each one ends', async () => {
    const lanes = new KeyedLanes(2);
    const log: string[] = [];
    const work = ['a1', 'b1', 'c1', 'd1', 'c2'].map((name) => ({ name, ...gate(log, name) }));
    const runs = work.map(({ name, work }) => lanes.run(name[0], work));
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    work[1].open(); // b1 ends: c1, the first in line, starts
    await tick();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'start c1']);
    work[2].open(); // c1 ends: d1 was in line before c2
    await tick();
    expect(log.slice(3)).toEqual(['start c1', 'end c1', 'start d1']);
    work[4].open();
    work[3].open();
    await tick();
    expect(log.slice(6)).toEqual(['end d1', 'start c2', 'end c2']);
    work[0].open();
    await Promise.all(runs);
    expect(log.filter((line) => line.startsWith('start'))).toHaveLength(5);
  });

  it('gives a failed piece of work’s place to the next in line', async () => {
    const lanes = new KeyedLanes(1);
    const log: string[] = [];
    const failing = gate(log, 'a1');
    const next = gate(log, 'b1');
    const one = lanes.run('a', failing.work);
    const two = lanes.run('b', next.work);
    await tick();
    expect(log).toEqual(['start a1']);
    failing.fail(new Error('effect failed'));
    await expect(one).rejects.toThrow('effect failed');
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    next.open();
    await two;
  });
});

describe('ordering keys', () => {
  it('orders events by the reseller they name', () => {
    expect(orderingKey({ payload: { resellerId: 'acme', ticketId: 't' } as never })).toBe('acme');
    const packet = { pattern: 'ticket.two_factor.approved', data: { payload: { resellerId: 'acme' } } };
    expect(orderingKeyOfDelivery(Buffer.from(JSON.stringify(packet)))).toBe('acme');
  });

  it('keys only by a reseller id that is text', () => {
    expect(orderingKey({ payload: { resellerId: 42 } as never })).toBe(orderingKey({ payload: {} as never }));
    expect(orderingKey({ payload: undefined as never })).toBe(orderingKey({ payload: {} as never }));
    expect(orderingKey({ payload: { resellerId: 'acme' } as never })).not.toBe(orderingKey({ payload: {} as never }));
    const unkeyed = { pattern: 'x', data: { payload: { resellerId: null } } };
    expect(orderingKeyOfDelivery(Buffer.from(JSON.stringify(unkeyed)))).toBe(orderingKey({ payload: {} as never }));
  });

  it('puts what cannot be read under one shared key', () => {
    expect(orderingKeyOfDelivery(Buffer.from('{not json'))).toBe(orderingKeyOfDelivery(Buffer.from('{"pattern":"x"}')));
    expect(orderingKey({ payload: {} as never })).toBe(orderingKeyOfDelivery(Buffer.from('[]')));
  });

  it('picks the oldest message of each reseller for a round of publishing', () => {
    const messages = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'].map((id) => ({ id, key: id[0] }));
    expect(firstOfEachKey(messages, (message) => message.key).map((message) => message.id)).toEqual(['a1', 'b1', 'c1']);
  });
});
