import { IsString, Length, ValidateIf } from 'class-validator';

export class ActivateTwoFactorDto {
  @IsString()
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode: string;

  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;
}

/** Password plus one second factor: a passcode, or a recovery code when the phone is gone. */
export class PasswordAndSecondFactorDto {
  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;

  @ValidateIf((body: PasswordAndSecondFactorDto) => body.recoveryCode === undefined || body.passcode !== undefined)
  @IsString({ message: 'send a passcode or a recoveryCode' })
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode?: string;

  @ValidateIf((body: PasswordAndSecondFactorDto) => body.passcode === undefined)
  @IsString({ message: 'send a passcode or a recoveryCode' })
  @Length(1, 40, { message: 'recoveryCode must be one of your recovery codes' })
  recoveryCode?: string;
}

export class PasswordAndPasscodeDto {
  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;

  @IsString()
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode: string;
}
