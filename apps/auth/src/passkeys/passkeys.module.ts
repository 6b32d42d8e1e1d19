import { Module } from '@nestjs/common';
import { ThrottleModule } from '../throttle/throttle.module';
import { RememberedDevicesModule } from '../remembered-devices/remembered-devices.module';
import { ResellerPolicyModule } from '../reseller-policy/reseller-policy.module';
import { SecondFactorModule } from '../second-factor/second-factor.module';
import { UsersModule } from '../users/users.module';
import { PasskeyRegistrationService } from './passkey-registration.service';
import { PasskeySignInController } from './passkey-sign-in.controller';
import { PasskeySignInService } from './passkey-sign-in.service';
import { PasskeyRepository } from './passkey.repository';
import { PasskeysController } from './passkeys.controller';
import { RelyingParty } from './relying-party';
import { WebauthnChallengeRepository } from './webauthn-challenge.repository';
import { CommonModule } from '../common/common.module';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';

/** Passkeys (WebAuthn): registering them on Profile, and signing in with them. */
@Module({
  imports: [
    CommonModule,
    AuditModule,
    SessionsModule,
    UsersModule,
    SecondFactorModule,
    ThrottleModule,
    ResellerPolicyModule,
    RememberedDevicesModule,
  ],
  controllers: [PasskeysController, PasskeySignInController],
  providers: [
    PasskeyRepository,
    WebauthnChallengeRepository,
    RelyingParty,
    PasskeyRegistrationService,
    PasskeySignInService,
  ],
  exports: [PasskeyRepository, PasskeySignInService],
})
export class PasskeysModule {}
