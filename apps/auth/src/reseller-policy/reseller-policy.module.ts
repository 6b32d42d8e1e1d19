import { Module } from '@nestjs/common';
import { ResellerDirectory } from './reseller-directory';
import { ResellerEventsController } from './reseller-events.controller';
import { ResellerPolicyRepository } from './reseller-policy.repository';
import { ServiceClientsModule } from '../common/service-clients';

@Module({
  imports: [ServiceClientsModule],
  controllers: [ResellerEventsController],
  providers: [ResellerPolicyRepository, ResellerDirectory],
  exports: [ResellerPolicyRepository, ResellerDirectory],
})
export class ResellerPolicyModule {}
