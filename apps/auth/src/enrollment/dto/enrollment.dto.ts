import { IsString, Length } from 'class-validator';
import { ExactlyOneOf } from '@pbx2fa/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ActivateTwoFactorDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;
}

/** Password plus one second factor: a passcode, or a recovery code when the phone is gone. */
@ExactlyOneOf(['passcode', 'recoveryCode'])
export class PasswordAndSecondFactorDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;

  @ApiPropertyOptional({ example: '123456', description: 'or send recoveryCode instead' })
  @IsString({ message: 'passcode must be text: the 6-digit code from your authenticator app' })
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode?: string;

  @ApiPropertyOptional({ example: '7K2M-QX9D-4HWT' })
  @IsString({ message: 'recoveryCode must be text: one of your recovery codes' })
  @Length(1, 40, { message: 'recoveryCode must be one of your recovery codes' })
  recoveryCode?: string;
}

export class PasswordAndPasscodeDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;

  @ApiProperty({ example: '123456' })
  @IsString()
  @Length(1, 20, { message: 'passcode must be the 6-digit code from your authenticator app' })
  passcode: string;
}
