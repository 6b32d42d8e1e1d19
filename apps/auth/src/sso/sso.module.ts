import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { RingosAssertionVerifier } from './ringos-assertion.verifier';
import { SsoController } from './sso.controller';
import { SsoService } from './sso.service';
import { UsedAssertionRepository } from './used-assertion.repository';
import { CommonModule } from '../common/common.module';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';

@Module({
  imports: [CommonModule, AuditModule, SessionsModule, UsersModule],
  controllers: [SsoController],
  providers: [RingosAssertionVerifier, UsedAssertionRepository, SsoService],
})
export class SsoModule {}
