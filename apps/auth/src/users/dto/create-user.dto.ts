import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { RESELLER_ID_PATTERN, Roles, type Role } from '@pbx2fa/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;

export class CreateUserDto {
  @ApiProperty({ example: 'alice', description: '3–64 of letters, digits, . _ @ -; unique regardless of case' })
  @IsString()
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 3 to 64 characters of letters, digits, ".", "_", "@" or "-"',
  })
  username: string;

  @ApiProperty({ minLength: 12, maxLength: 256, format: 'password' })
  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters long' })
  password: string;

  @ApiPropertyOptional({ example: 'acme', description: 'required for reseller roles; absent for agents' })
  @IsOptional()
  @IsString()
  @Matches(RESELLER_ID_PATTERN, { message: 'resellerId must be 2 to 40 characters of a-z, 0-9 and "-"' })
  resellerId?: string;

  @ApiProperty({ enum: Roles })
  @IsIn(Roles, { message: `role must be one of ${Roles.join(', ')}` })
  role: Role;

  @ApiPropertyOptional({
    example: 'alice@example.com',
    maxLength: 254,
    description: 'where security notifications go (a factor added or removed, a lock, …); without one, none are sent',
  })
  @IsOptional()
  @IsString()
  @MaxLength(254, { message: 'email must be at most 254 characters long' })
  @IsEmail(
    { allow_display_name: false, allow_ip_domain: false },
    { message: 'email must be an email address like alice@example.com' },
  )
  email?: string;
}
