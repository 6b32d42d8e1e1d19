import { Observable } from 'rxjs';
import { EventServer } from './event-server';
import type { MessagingOptions } from './messaging.options';

const options = {
  rabbitmqUrls: ['amqp://127.0.0.1:1'],
  service: 'tickets',
  queueType: 'classic',
} as unknown as MessagingOptions;

function delivery(tag: number, resellerId: string) {
  const packet = { pattern: 'ticket.two_factor.approved', data: { eventId: `e${tag}`, payload: { resellerId } } };
  return { content: Buffer.from(JSON.stringify(packet)), fields: { deliveryTag: tag }, properties: {} };
}

describe('EventServer', () => {
  it("hands a reseller's next event to its handler only once the handler of the one before has finished", async () => {
    const server = new EventServer(options);
    const log: string[] = [];
    const finish = new Map<string, () => void>();
    server.addHandler(
      'ticket.two_factor.approved',
      async (data: { eventId: string; payload: { resellerId: string } }) => {
        log.push(`start ${data.eventId}`);
        await new Promise<void>((resolve) => finish.set(data.eventId, resolve));
        log.push(`end ${data.eventId}`);
      },
      true,
    );
    const channel = {};
    const handled = [delivery(1, 'acme'), delivery(2, 'acme'), delivery(3, 'globex')].map((message) =>
      server.handleMessage(message, channel as never),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(['start e1', 'start e3']);
    finish.get('e1')!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(['start e1', 'start e3', 'end e1', 'start e2']);
    finish.get('e2')!();
    finish.get('e3')!();
    await Promise.all(handled);
  });

  it('waits for a handler that answers with a stream still running (as under a pre-request hook)', async () => {
    const server = new EventServer(options);
    const log: string[] = [];
    const finish = new Map<string, () => void>();
    server.addHandler(
      'ticket.two_factor.approved',
      (data: { eventId: string }) =>
        Promise.resolve(
          new Observable<void>((subscriber) => {
            log.push(`start ${data.eventId}`);
            finish.set(data.eventId, () => (log.push(`end ${data.eventId}`), subscriber.complete()));
          }),
        ),
      true,
    );
    const handled = [delivery(1, 'acme'), delivery(2, 'acme')].map((message) =>
      server.handleMessage(message, {} as never),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(['start e1']);
    finish.get('e1')!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(['start e1', 'end e1', 'start e2']);
    finish.get('e2')!();
    await Promise.all(handled);
  });
});
