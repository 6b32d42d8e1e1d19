import { Module } from '@nestjs/common';
import { SecondFactorModule } from '../second-factor/second-factor.module';
import { PasskeysModule } from '../passkeys/passkeys.module';
import { RememberedDevicesModule } from '../remembered-devices/remembered-devices.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { ChallengeRepository } from './challenge.repository';
import { LoginController } from './login.controller';
import { LoginService } from './login.service';
import { PasswordSignInRepository } from './password-sign-in.repository';
import { CommonModule } from '../common/common.module';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';

@Module({
  imports: [
    CommonModule,
    AuditModule,
    SessionsModule,
    SecondFactorModule,
    ThrottleModule,
    PasskeysModule,
    RememberedDevicesModule,
  ],
  controllers: [LoginController],
  providers: [LoginService, ChallengeRepository, PasswordSignInRepository],
  exports: [LoginService],
})
export class LoginModule {}
