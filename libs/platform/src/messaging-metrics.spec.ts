import type { BrokerPublisher, ConsumerStatus, MessagingOptions } from '@pbx2fa/messaging';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MessagingMetrics } from './messaging-metrics';

interface Parts {
  outbox?: { backlog: number; age: number } | Error;
  deadLetters?: number | null;
  queued?: number | null;
  consuming?: boolean;
}

/** The metrics as a scrape reads them, over fakes of the database, the broker and the consumers. */
async function scrape({ outbox = { backlog: 0, age: 0 }, deadLetters = 0, queued = 0, consuming = true }: Parts) {
  const query = jest.fn(() => (outbox instanceof Error ? Promise.reject(outbox) : Promise.resolve([outbox])));
  const publisher = {
    deadLetterDepth: () => Promise.resolve(deadLetters),
    eventQueueDepth: () => Promise.resolve(queued),
  } as unknown as BrokerPublisher;
  const consumers = { consuming } as ConsumerStatus;
  new MessagingMetrics({ query } as unknown as DataSource, publisher, consumers, {
    service: 'auth',
  } as MessagingOptions).onModuleInit();
  const text = await register.metrics();
  return { text, queries: query.mock.calls.length };
}

describe('messaging metrics', () => {
  it('reports the outbox, the queues and readiness when everything answers', async () => {
    const { text, queries } = await scrape({ outbox: { backlog: 3, age: 42.5 }, deadLetters: 2, queued: 7 });
    expect(text).toMatch(/^pbx2fa_outbox_backlog 3$/m);
    expect(text).toMatch(/^pbx2fa_outbox_oldest_age_seconds 42.5$/m);
    expect(text).toMatch(/^pbx2fa_dead_letters 2$/m);
    expect(text).toMatch(/^pbx2fa_event_queue_depth 7$/m);
    expect(text).toMatch(/^pbx2fa_database_up 1$/m);
    expect(text).toMatch(/^pbx2fa_consumer_up 1$/m);
    expect(queries).toBe(1);
  });

  it('still answers while the database is away: database_up 0 and no outbox figures', async () => {
    const { text } = await scrape({ outbox: new Error('connect ECONNREFUSED 127.0.0.1:5432') });
    expect(text).toMatch(/^pbx2fa_database_up 0$/m);
    expect(text).not.toMatch(/^pbx2fa_outbox_backlog /m);
    expect(text).not.toMatch(/^pbx2fa_outbox_oldest_age_seconds /m);
    expect(text).toMatch(/^pbx2fa_dead_letters 0$/m);
  });

  it('says when the service does not consume, and leaves queue depths out while the broker is away', async () => {
    const { text } = await scrape({ deadLetters: null, queued: null, consuming: false });
    expect(text).toMatch(/^pbx2fa_consumer_up 0$/m);
    expect(text).not.toMatch(/^pbx2fa_dead_letters /m);
    expect(text).not.toMatch(/^pbx2fa_event_queue_depth /m);
    expect(text).toMatch(/^pbx2fa_database_up 1$/m);
  });
});
