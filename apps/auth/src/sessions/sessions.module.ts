import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { AccessTokenService } from './access-token.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { IntrospectionController } from './introspection.controller';
import { SessionRepository } from './session.repository';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) => ({
        secret: config.JWT_SECRET,
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
