import { Module } from '@nestjs/common';
import { ResellerPolicyModule } from '../reseller-policy/reseller-policy.module';
import { BootstrapAgent } from './bootstrap-agent';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [ResellerPolicyModule],
  controllers: [UsersController],
  providers: [UserRepository, PasswordHasher, UsersService, BootstrapAgent],
  exports: [UserRepository, PasswordHasher],
})
export class UsersModule {}
