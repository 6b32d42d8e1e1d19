import { Controller, Get, Injectable, Module, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { BrokerPublisher, ConsumerStatus } from '@pbx2fa/messaging';
import { Public } from './public.decorator';

@Injectable()
export class BrokerHealthIndicator {
  constructor(
    private readonly publisher: BrokerPublisher,
    private readonly consumers: ConsumerStatus,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Up when events can be published and the service consumes its queues (requests sent to it are not dropped). */
  async isHealthy(key: string) {
    const indicator = this.indicators.check(key);
    if (!(await this.publisher.waitForConnection(2000)))
      return indicator.down({ message: 'RabbitMQ is not reachable' });
    return this.consumers.consuming ? indicator.up() : indicator.down({ message: 'Not consuming from RabbitMQ yet' });
  }
}

/** Whether the service can do its work: its database answers and it consumes from the broker. */
@Injectable()
export class Readiness {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly broker: BrokerHealthIndicator,
  ) {}

  /** Terminus' report: `status` ok or error, with the details of each part (database, broker). */
  async check(): Promise<{ ready: boolean; report: HealthCheckResult }> {
    try {
      return {
        ready: true,
        report: await this.health.check([
          () => this.database.pingCheck('database', { timeout: 2000 }),
          () => this.broker.isHealthy('broker'),
        ]),
      };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { ready: false, report: error.getResponse() as HealthCheckResult };
    }
  }
}

/**
 * The bare `/health` of the service's own port, for load balancers: `{status}` only. What is
 * down, and why, is said on the management port only (`/health/ready`, see management-server.ts).
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @ApiOperation({
    summary:
      'Whether this instance can serve: 200 {status: "ok"} or 503 {status: "error"}; details on the management port',
  })
  @Public()
  @Get()
  async check(@Res({ passthrough: true }) response: Response) {
    const { ready } = await this.readiness.check();
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'error' };
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [BrokerHealthIndicator, Readiness],
  exports: [Readiness],
})
export class HealthModule {}
