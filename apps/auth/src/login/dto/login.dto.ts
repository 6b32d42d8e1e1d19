import { IsString, Length, ValidateIf } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(1, 64, { message: 'username must be 1 to 64 characters long' })
  username: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256, { message: 'password must be 1 to 256 characters long' })
  password: string;

  @ApiPropertyOptional({
    description:
      'from a sign-in with rememberDevice: true on this device; with the right password it skips the second step while remembered, and is ignored otherwise',
  })
  // Absent is fine; null is a wrong type, as any other.
  @ValidateIf((body: LoginDto) => body.deviceToken !== undefined)
  @IsString({ message: 'deviceToken must be text: the token this device was given' })
  @Length(1, 128, { message: 'deviceToken must be the token this device was given' })
  deviceToken?: string;
}
