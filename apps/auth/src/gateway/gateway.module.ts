import { Module } from '@nestjs/common';
import { ResellerPolicyModule } from '../reseller-policy/reseller-policy.module';
import { UsersModule } from '../users/users.module';
import { ResellersController } from './resellers.controller';
import { ResellersGatewayService } from './resellers.service';
import { TicketsController } from './tickets.controller';
import { TicketsGatewayService } from './tickets.service';
import { CommonModule } from '../common/common.module';
import { ServiceClientsModule } from '../common/service-clients';

/** The HTTP face of the ticket and reseller-settings services. */
@Module({
  imports: [CommonModule, ServiceClientsModule, ResellerPolicyModule, UsersModule],
  controllers: [ResellersController, TicketsController],
  providers: [ResellersGatewayService, TicketsGatewayService],
})
export class GatewayModule {}
