import { SafeServerRMQ } from './safe-server-rmq';

class TestServer extends SafeServerRMQ {
  constructor() {
    super({ urls: ['amqp://127.0.0.1:1'], queue: 'test.rpc' });
  }

  useChannel(channel: unknown): void {
    (this as unknown as { channel: unknown }).channel = channel;
  }

  useConnection(connection: unknown): void {
    (this as unknown as { server: unknown }).server = connection;
  }

  get log() {
    return this.logger;
  }
}

describe('SafeServerRMQ', () => {
  it('handles a reply the broker never confirmed instead of leaving it to reject unhandled', async () => {
    const server = new TestServer();
    const sent: unknown[][] = [];
    const failed = Promise.reject(new Error('channel closed'));
    server.useChannel({ sendToQueue: (...args: unknown[]) => (sent.push(args), failed) });
    const warn = jest.spyOn(server.log, 'warn').mockImplementation(() => undefined);

    server.sendMessage(
      { id: '1', response: { ok: true }, isDisposed: true },
      'amq.rabbitmq.reply-to.x',
      'corr-1',
      {} as never,
    );
    await new Promise((resolve) => setImmediate(resolve));

    expect(sent).toHaveLength(1);
    const [queue, content, options] = sent[0] as [string, Buffer, Record<string, unknown>];
    expect(queue).toBe('amq.rabbitmq.reply-to.x');
    expect(JSON.parse(content.toString())).toEqual({ id: '1', response: { ok: true }, isDisposed: true });
    expect(options).toEqual({ correlationId: 'corr-1' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('reply corr-1 was not delivered: channel closed'));
  });

  it('reconnects, declaring its queue again, when the broker cancels its consumer because the queue was deleted', async () => {
    const server = new TestServer();
    const reconnect = jest.fn();
    server.useConnection({ reconnect });
    server.consuming = true;
    const warn = jest.spyOn(server.log, 'warn').mockImplementation(() => undefined);

    await server.handleMessage(null, {});

    expect(reconnect).toHaveBeenCalledTimes(1);
    expect(server.consuming).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('the broker cancelled our consumer of test.rpc'));
  });
});
