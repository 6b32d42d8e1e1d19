import { Module } from '@nestjs/common';
import { ResellerPolicyModule } from '../reseller-policy/reseller-policy.module';
import { SecondFactorModule } from '../second-factor/second-factor.module';
import { UsersModule } from '../users/users.module';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';

@Module({
  imports: [ResellerPolicyModule, SecondFactorModule, UsersModule],
  controllers: [AccountController],
  providers: [AccountService],
})
export class AccountModule {}
