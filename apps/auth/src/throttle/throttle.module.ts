import { Module } from '@nestjs/common';
import { AttemptThrottle } from './attempt-throttle';

@Module({
  providers: [AttemptThrottle],
  exports: [AttemptThrottle],
})
export class ThrottleModule {}
