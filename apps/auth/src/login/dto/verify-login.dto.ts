import { IsString, Length, ValidateIf } from 'class-validator';

export class VerifyLoginDto {
  @IsString()
  @Length(1, 200, { message: 'challengeToken is required' })
  challengeToken: string;

  @ValidateIf((body: VerifyLoginDto) => body.recoveryCode === undefined || body.passcode !== undefined)
  @IsString({ message: 'send a passcode or a recoveryCode' })
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode?: string;

  @ValidateIf((body: VerifyLoginDto) => body.passcode === undefined)
  @IsString({ message: 'send a passcode or a recoveryCode' })
  @Length(1, 40, { message: 'recoveryCode must be one of your recovery codes' })
  recoveryCode?: string;
}
