import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';

/** Events written but not yet confirmed by the broker, read from the outbox at each scrape. */
@Injectable()
export class OutboxMetrics implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const dataSource = this.dataSource;
    const read = () =>
      dataSource.query(
        `SELECT count(*)::int AS backlog, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age
           FROM outbox WHERE published_at IS NULL`,
      ) as Promise<{ backlog: number; age: number }[]>;
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
