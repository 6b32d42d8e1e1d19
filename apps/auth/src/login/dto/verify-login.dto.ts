import { IsString, Length, ValidateIf } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class VerifyLoginDto {
  @ApiProperty({ description: 'from POST /auth/login' })
  @IsString()
  @Length(1, 200, { message: 'challengeToken is required' })
  challengeToken: string;

  @ApiPropertyOptional({ example: '123456', description: 'the 6-digit code; or send recoveryCode instead' })
  @ValidateIf((body: VerifyLoginDto) => body.recoveryCode === undefined || body.passcode !== undefined)
  @IsString({ message: 'send a passcode or a recoveryCode' })
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode?: string;

  @ApiPropertyOptional({ example: '7K2M-QX9D-4HWT' })
  @ValidateIf((body: VerifyLoginDto) => body.passcode === undefined)
  @IsString({ message: 'send a passcode or a recoveryCode' })
  @Length(1, 40, { message: 'recoveryCode must be one of your recovery codes' })
  recoveryCode?: string;
}
