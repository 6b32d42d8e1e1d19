import { Module } from '@nestjs/common';
import { ResellerPolicyModule } from '../reseller-policy/reseller-policy.module';
import { ResellerUsersController } from './reseller-users.controller';
import { ResellerUsersRepository } from './reseller-users.repository';
import { ResellerUsersService } from './reseller-users.service';

/** The Users view: who of a reseller has a second factor, and who still has to enroll. */
@Module({
  imports: [ResellerPolicyModule],
  controllers: [ResellerUsersController],
  providers: [ResellerUsersRepository, ResellerUsersService],
})
export class ResellerUsersModule {}
