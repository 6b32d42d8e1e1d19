import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AttemptThrottle } from './attempt-throttle';
import { CurrentPasswordCheck } from './current-password';
import { PasswordCheck } from './password-check';

@Module({
  imports: [UsersModule],
  providers: [AttemptThrottle, PasswordCheck, CurrentPasswordCheck],
  exports: [AttemptThrottle, PasswordCheck, CurrentPasswordCheck],
})
export class ThrottleModule {}
