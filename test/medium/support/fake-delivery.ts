import type { RmqContext } from '@nestjs/microservices';
import { ConsoleLogger, Logger } from '@nestjs/common';

export type Settlement = { outcome: 'ack' } | { outcome: 'nack'; allUpTo: boolean; requeue: boolean };

/**
 * One delivered message as the inbox sees it (Nest's RmqContext), on a channel that records how
 * it was settled. `onSettle` runs inside ack/nack, e.g. to look at the database at that moment.
 */
export function fakeDelivery(options: { onSettle?: () => void; channelClosed?: boolean } = {}) {
  const settled: Settlement[] = [];
  // The broker-validated publisher: every service is guest in these tests (serviceUsers).
  const message = { content: Buffer.from('{}'), fields: {}, properties: { userId: 'guest' } };
  const channel = {
    ack(acked: unknown) {
      if (acked !== message) throw new Error('acknowledged another message');
      if (options.channelClosed) throw new Error('Channel closed');
      settled.push({ outcome: 'ack' });
      options.onSettle?.();
    },
    nack(nacked: unknown, allUpTo: boolean, requeue: boolean) {
      if (nacked !== message) throw new Error('rejected another message');
      if (options.channelClosed) throw new Error('Channel closed');
      settled.push({ outcome: 'nack', allUpTo, requeue });
      options.onSettle?.();
    },
  };
  const context = { getChannelRef: () => channel, getMessage: () => message } as unknown as RmqContext;
  return { context, settled };
}

/** Nest's logger says nothing during the test, and what it would have said is kept for asserting. */
export function capturedLogs(): { lines: { level: string; message: string }[]; restore(): void } {
  const lines: { level: string; message: string }[] = [];
  const keep =
    (level: string) =>
    (message: unknown): void => {
      lines.push({ level, message: typeof message === 'string' ? message : JSON.stringify(message) });
    };
  Logger.overrideLogger({
    log: keep('log'),
    warn: keep('warn'),
    error: keep('error'),
    debug: keep('debug'),
    verbose: keep('verbose'),
    fatal: keep('fatal'),
  });
  return { lines, restore: () => Logger.overrideLogger(new ConsoleLogger()) };
}
