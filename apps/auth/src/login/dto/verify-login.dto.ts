import { IsBoolean, IsNotEmptyObject, IsObject, IsString, Length, ValidateIf } from 'class-validator';
import { ExactlyOneOf } from '@pbx2fa/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ExactlyOneOf(['passcode', 'recoveryCode', 'passkey'])
export class VerifyLoginDto {
  @ApiProperty({ description: 'from POST /auth/login' })
  @IsString()
  @Length(1, 200, { message: 'challengeToken is required' })
  challengeToken: string;

  @ApiPropertyOptional({ example: '123456', description: 'the 6-digit code; or send recoveryCode instead' })
  @IsString({ message: 'passcode must be text: the 6-digit code from your authenticator app' })
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode?: string;

  @ApiPropertyOptional({ example: '7K2M-QX9D-4HWT' })
  @IsString({ message: 'recoveryCode must be text: one of your recovery codes' })
  @Length(1, 40, { message: 'recoveryCode must be one of your recovery codes' })
  recoveryCode?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'what startAuthentication() returned for the options of POST /auth/login/passkey-options',
  })
  @IsObject({ message: 'passkey must be the object startAuthentication() returned' })
  @IsNotEmptyObject({}, { message: 'passkey must be the object startAuthentication() returned' })
  passkey?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      "true: this device skips the second step at the next sign-ins (for the reseller's rememberDeviceDays); the answer carries deviceToken when offered",
  })
  // Absent is fine; null is a wrong type, as any other.
  @ValidateIf((body: VerifyLoginDto) => body.rememberDevice !== undefined)
  @IsBoolean({ message: 'rememberDevice must be true or false' })
  rememberDevice?: boolean;
}
