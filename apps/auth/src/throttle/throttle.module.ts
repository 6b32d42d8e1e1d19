import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AttemptThrottle } from './attempt-throttle';
import { PasswordCheck } from './password-check';

@Module({
  imports: [UsersModule],
  providers: [AttemptThrottle, PasswordCheck],
  exports: [AttemptThrottle, PasswordCheck],
})
export class ThrottleModule {}
