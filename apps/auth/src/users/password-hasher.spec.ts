import { ConcurrencyGate, GateFullError } from './password-hasher';

const tick = () => new Promise((done) => setImmediate(done));

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ConcurrencyGate (how many hashes the thread pool is given at once)', () => {
  it('runs at most `limit` tasks at once and starts the others first come, first served', async () => {
    const gate = new ConcurrencyGate(2);
    const tasks = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const done = tasks.map((task, i) =>
      gate.run(async () => {
        started.push(i);
        await task.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    tasks[1].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    tasks[0].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    tasks[2].resolve();
    tasks[3].resolve();
    await expect(Promise.all(done)).resolves.toEqual([0, 1, 2, 3]);
  });

  it('gives the slot back when a task fails', async () => {
    const gate = new ConcurrencyGate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('refuses a task at once when `maxWaiting` already wait, and takes one again when the line moves', async () => {
    const gate = new ConcurrencyGate(1, () => 2);
    const tasks = [deferred(), deferred(), deferred()];
    const runs = tasks.map((task) => gate.run(() => task.promise));
    expect(gate.full).toBe(true);
    await expect(gate.run(() => Promise.resolve('refused'))).rejects.toBeInstanceOf(GateFullError);
    tasks[0].resolve();
    await tick();
    expect(gate.full).toBe(false);
    const admitted = gate.run(() => Promise.resolve('admitted'));
    tasks[1].resolve();
    tasks[2].resolve();
    await Promise.all(runs);
    await expect(admitted).resolves.toBe('admitted');
  });

  it('is not full while a slot is free, however short the line may be', async () => {
    const gate = new ConcurrencyGate(2, () => 0);
    const task = deferred();
    const run = gate.run(() => task.promise);
    expect(gate.full).toBe(false);
    task.resolve();
    await run;
  });

  it('serves lanes in turn: one task of a quiet lane goes before the long line of a busy one', async () => {
    const gate = new ConcurrencyGate(1);
    const running = deferred();
    const order: string[] = [];
    const first = gate.run(() => running.promise, 'flood');
    const queued = [
      ...['flood-1', 'flood-2', 'flood-3'].map((name) =>
        gate.run(() => Promise.resolve(void order.push(name)), 'flood'),
      ),
      gate.run(() => Promise.resolve(void order.push('user')), 'user'),
    ];
    running.resolve();
    await Promise.all([first, ...queued]);
    expect(order).toEqual(['flood-1', 'user', 'flood-2', 'flood-3']);
  });
});
