import { Module } from '@nestjs/common';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { ThrottleModule } from '../throttle/throttle.module';
import { RecoveryCodeRepository } from './recovery-code.repository';
import { RecoveryCodeHasher } from './recovery-codes';
import { SecondFactorVerifier, SECRET_BOX } from './second-factor.verifier';
import { SecretBox } from './secret-box';
import { TwoFactorCredentialRepository } from './two-factor-credential.repository';
import { CommonModule } from '../common/common.module';
import { AuditModule } from '../audit/audit.module';

@Module({
  imports: [CommonModule, AuditModule, ThrottleModule],
  providers: [
    {
      provide: SECRET_BOX,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) => SecretBox.fromBase64Keys(config.TOTP_ENCRYPTION_KEY, config.previousTotpKeys),
    },
    {
      provide: RecoveryCodeHasher,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) =>
        RecoveryCodeHasher.fromBase64Keys(config.TOTP_ENCRYPTION_KEY, config.previousTotpKeys),
    },
    TwoFactorCredentialRepository,
    RecoveryCodeRepository,
    SecondFactorVerifier,
  ],
  exports: [SECRET_BOX, TwoFactorCredentialRepository, RecoveryCodeRepository, SecondFactorVerifier, ThrottleModule],
})
export class SecondFactorModule {}
