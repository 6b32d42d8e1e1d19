import { Module } from '@nestjs/common';
import { ResellerPolicyModule } from '../reseller-policy/reseller-policy.module';
import { SecondFactorModule } from '../second-factor/second-factor.module';
import { PasskeysModule } from '../passkeys/passkeys.module';
import { RememberedDevicesModule } from '../remembered-devices/remembered-devices.module';
import { UsersModule } from '../users/users.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { EnrollmentController } from './enrollment.controller';
import { EnrollmentService } from './enrollment.service';
import { TwoFactorResetEventController } from './two-factor-reset.event-controller';
import { TwoFactorResetService } from './two-factor-reset.service';
import { CommonModule } from '../common/common.module';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';

@Module({
  imports: [
    CommonModule,
    AuditModule,
    SessionsModule,
    UsersModule,
    SecondFactorModule,
    ThrottleModule,
    ResellerPolicyModule,
    PasskeysModule,
    RememberedDevicesModule,
  ],
  controllers: [EnrollmentController, TwoFactorResetEventController],
  providers: [EnrollmentService, TwoFactorResetService],
})
export class EnrollmentModule {}
