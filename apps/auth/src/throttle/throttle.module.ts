import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AttemptThrottle } from './attempt-throttle';
import { CurrentPasswordCheck } from './current-password';
import { PasswordCheck } from './password-check';
import { CommonModule } from '../common/common.module';
import { AuditModule } from '../audit/audit.module';

@Module({
  imports: [CommonModule, AuditModule, UsersModule],
  providers: [AttemptThrottle, PasswordCheck, CurrentPasswordCheck],
  exports: [AttemptThrottle, PasswordCheck, CurrentPasswordCheck],
})
export class ThrottleModule {}
