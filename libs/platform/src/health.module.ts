import { Controller, Get, Injectable, Module, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
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
    if (!(await this.publisher.waitForConnection(2000))) return indicator.down({ message: 'RabbitMQ is not reachable' });
    return this.consumers.consuming ? indicator.up() : indicator.down({ message: 'Not consuming from RabbitMQ yet' });
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly broker: BrokerHealthIndicator,
  ) {}

  /** 200 when the database and the broker answer, 503 naming the failing part otherwise. */
  @ApiOperation({ summary: 'Database and broker reachability: 200 when both answer, 503 otherwise' })
  @Public()
  @Get()
  @HealthCheck()
  async check(@Res({ passthrough: true }) response: Response) {
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: 2000 }), () => this.broker.isHealthy('broker')]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse();
    }
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [BrokerHealthIndicator],
})
export class HealthModule {}
