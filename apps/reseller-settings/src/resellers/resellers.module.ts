import { Module } from '@nestjs/common';
import { ResellerRepository } from './reseller.repository';
import { ResellersRpcController } from './resellers.rpc-controller';
import { ResellersService } from './resellers.service';
import { TwoFactorApprovalsEventController } from './two-factor-approvals.event-controller';

@Module({
  controllers: [ResellersRpcController, TwoFactorApprovalsEventController],
  providers: [ResellerRepository, ResellersService],
})
export class ResellersModule {}
