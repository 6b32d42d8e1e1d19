import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BrokerPublisher, MESSAGING_OPTIONS, type MessagingOptions } from '@pbx2fa/messaging';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';

/**
 * Read at each scrape: events written but not yet confirmed by the broker (the outbox), and
 * events this service gave up on (its dead-letter queue).
 */
@Injectable()
export class MessagingMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: BrokerPublisher,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
  ) {}

  onModuleInit(): void {
    const dataSource = this.dataSource;
    const read = () =>
      dataSource.query(
        `SELECT count(*)::int AS backlog, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age
           FROM outbox WHERE published_at IS NULL`,
      ) as Promise<{ backlog: number; age: number }[]>;
    const publisher = this.publisher;
    const service = this.messaging.service;
    register.removeSingleMetric('pbx2fa_dead_letters');
    new Gauge({
      name: 'pbx2fa_dead_letters',
      help: "Messages in this service's dead-letter queue (absent while the broker is away)",
      async collect() {
        const depth = await publisher.deadLetterDepth(service);
        if (depth === null) this.reset();
        else this.set(depth);
      },
    });
    register.removeSingleMetric('pbx2fa_outbox_backlog');
    register.removeSingleMetric('pbx2fa_outbox_oldest_age_seconds');
    new Gauge({
      name: 'pbx2fa_outbox_backlog',
      help: 'Events in the outbox not yet confirmed by the broker',
      async collect() {
        this.set((await read())[0].backlog);
      },
    });
    new Gauge({
      name: 'pbx2fa_outbox_oldest_age_seconds',
      help: 'Age of the oldest event waiting in the outbox (0 when none)',
      async collect() {
        this.set((await read())[0].age);
      },
    });
  }
}
