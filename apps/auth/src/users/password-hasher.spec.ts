import { ConcurrencyGate } from './password-hasher';

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
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });
});
