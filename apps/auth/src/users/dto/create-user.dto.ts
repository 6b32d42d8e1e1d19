import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Roles, type Role } from '@pbx2fa/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ResellerIdField, UsernameField } from '../../common/input-fields';

export class CreateUserDto {
  @UsernameField('username', { doc: { example: 'alice', description: 'unique regardless of case' } })
  username: string;

  @ApiProperty({ minLength: 12, maxLength: 256, format: 'password' })
  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters long' })
  password: string;

  @ResellerIdField('resellerId', {
    optional: true,
    doc: { example: 'acme', description: 'required for reseller roles; absent for agents' },
  })
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
