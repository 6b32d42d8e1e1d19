import { Module } from '@nestjs/common';
import { SignInRateLimit } from './sign-in-rate-limit';

@Module({
  providers: [SignInRateLimit],
  exports: [SignInRateLimit],
})
export class SignInLimitsModule {}
