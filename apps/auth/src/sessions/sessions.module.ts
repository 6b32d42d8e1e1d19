import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { AccessTokenService } from './access-token.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { IntrospectionController } from './introspection.controller';
import { SessionRepository } from './session.repository';
import { AuditModule } from '../audit/audit.module';

@Module({
  imports: [
    AuditModule,
    JwtModule.registerAsync({
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a PEM
        // private (or public) key on every sign and verify, and that failing OpenSSL call cost three
        // times the TOTP check of a passcode sign-in (npm run bench, issue #7). Same bytes, same tokens.
        secret: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')),
        signOptions: { algorithm: 'HS256', issuer: 'pbx2fa-auth' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'pbx2fa-auth' },
      }),
    }),
  ],
  controllers: [IntrospectionController],
  providers: [SessionRepository, AccessTokenService, { provide: APP_GUARD, useClass: BearerAuthGuard }],
  exports: [AccessTokenService, SessionRepository],
})
export class SessionsModule {}
