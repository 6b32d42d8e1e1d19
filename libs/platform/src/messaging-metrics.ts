import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BrokerPublisher, ConsumerStatus, MESSAGING_OPTIONS, type MessagingOptions } from '@pbx2fa/messaging';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';

interface OutboxSample {
  backlog: number;
  age: number;
}

/**
 * Read at each scrape: events written but not yet confirmed by the broker (the outbox), events
 * waiting in this service's queue and in its dead-letter queue, and whether the database answers
 * and the service consumes its queues (what the alerts in ops/prometheus call "ready"). A part
 * that is away leaves its gauges absent rather than failing the scrape, so the rest still reads.
 */
@Injectable()
export class MessagingMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: BrokerPublisher,
    private readonly consumers: ConsumerStatus,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
  ) {}

  onModuleInit(): void {
    const { dataSource, publisher, consumers } = this;
    const service = this.messaging.service;
    // One query per scrape, shared by the gauges that read it (they are collected together).
    let pending: Promise<OutboxSample | null> | null = null;
    const outbox = () =>
      (pending ??= dataSource
        .query<OutboxSample[]>(
          `SELECT count(*)::int AS backlog, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age
             FROM outbox WHERE published_at IS NULL`,
        )
        .then(
          (rows) => rows[0],
          () => null,
        )
        .finally(() => (pending = null)));

    // `remove()` with no labels leaves the gauge without a value (absent); `reset()` would report 0.
    const gauge = (name: string, help: string, collect: (this: Gauge) => Promise<void> | void) => {
      register.removeSingleMetric(name);
      return new Gauge({ name, help, collect });
    };

    gauge(
      'pbx2fa_dead_letters',
      "Messages in this service's dead-letter queue (absent while the broker is away)",
      async function () {
        const depth = await publisher.deadLetterDepth(service);
        if (depth === null) this.remove();
        else this.set(depth);
      },
    );
    gauge(
      'pbx2fa_event_queue_depth',
      "Events waiting in this service's queue, not yet taken by its consumer (absent while the broker is away)",
      async function () {
        const depth = await publisher.eventQueueDepth(service);
        if (depth === null) this.remove();
        else this.set(depth);
      },
    );
    gauge(
      'pbx2fa_outbox_backlog',
      'Events in the outbox not yet confirmed by the broker (absent while the database is away)',
      async function () {
        const sample = await outbox();
        if (sample === null) this.remove();
        else this.set(sample.backlog);
      },
    );
    gauge(
      'pbx2fa_outbox_oldest_age_seconds',
      'Age of the oldest event waiting in the outbox (0 when none; absent while the database is away)',
      async function () {
        const sample = await outbox();
        if (sample === null) this.remove();
        else this.set(sample.age);
      },
    );
    gauge(
      'pbx2fa_database_up',
      "1 when this service's database answered the scrape, 0 when it did not",
      async function () {
        this.set((await outbox()) === null ? 0 : 1);
      },
    );
    gauge(
      'pbx2fa_consumer_up',
      '1 while this service consumes every one of its queues, 0 while it does not (broker away, not set up yet)',
      function () {
        this.set(consumers.consuming ? 1 : 0);
      },
    );
  }
}
