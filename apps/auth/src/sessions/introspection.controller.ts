import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import { timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { AccessTokenService } from './access-token.service';
import { bearerToken, type AuthenticatedRequest } from './authenticated-request';
import { enrollmentRequired } from './enrollment-access';
import { Public } from '@pbx2fa/platform';
import { ApiProperty } from '@nestjs/swagger';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { IntrospectionResponse } from '../docs/responses';

export class IntrospectDto {
  @ApiProperty({ description: 'the access token to look at' })
  @IsString()
  @Length(1, 4096, { message: 'token must be an access token' })
  token: string;
}

export const INTROSPECTION_SECRET_HEADER = 'x-introspection-secret';

const sameSecret = (offered: string, expected: string) => {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** RFC 7662-style introspection for other dashboard back ends (the secret) and agents (a bearer token). */
@ApiTags('sign-in')
@Controller('auth')
export class IntrospectionController {
  constructor(
    private readonly tokens: AccessTokenService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  @ApiOperation({ summary: 'Look at a token (for other dashboard back ends, or agents)' })
  @ApiBearerAuth('bearer')
  @ApiSecurity('introspection-secret')
  @ApiOkResponse({ type: IntrospectionResponse })
  @ApiErrors([403, 'forbidden'], [403, 'enrollment_required'])
  @Public()
  @Post('introspect')
  @HttpCode(200)
  async introspect(@Body() body: IntrospectDto, @Req() request: AuthenticatedRequest) {
    await this.authorizeCaller(request);
    const session = await this.tokens.resolve(body.token);
    // An enrollment token is no access token: nothing may accept it as one.
    if (!session || session.purpose !== 'access') return { active: false };
    return {
      active: true,
      sub: session.userId,
      username: session.username,
      resellerId: session.resellerId,
      role: session.role,
      amr: session.amr,
      exp: Math.floor(new Date(session.expiresAt).getTime() / 1000),
    };
  }

  private async authorizeCaller(request: AuthenticatedRequest): Promise<void> {
    const offered = request.header(INTROSPECTION_SECRET_HEADER);
    if (offered !== undefined) {
      if (this.config.INTROSPECTION_SECRET && sameSecret(offered, this.config.INTROSPECTION_SECRET)) return;
      throw new DomainError(401, ErrorCodes.Unauthorized, 'The introspection secret is not valid.');
    }
    const token = bearerToken(request);
    const caller = token ? await this.tokens.resolve(token) : null;
    if (!caller) {
      throw new DomainError(
        401,
        ErrorCodes.Unauthorized,
        `Introspection needs an agent's bearer token or the ${INTROSPECTION_SECRET_HEADER} header.`,
      );
    }
    if (caller.purpose !== 'access') throw enrollmentRequired();
    if (caller.role !== 'agent')
      throw new DomainError(
        403,
        ErrorCodes.Forbidden,
        'Only support agents and dashboard back ends can introspect tokens.',
      );
  }
}
