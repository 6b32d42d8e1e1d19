import { IsString, Length } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';

export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(1, 64, { message: 'username must be 1 to 64 characters long' })
  username: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256, { message: 'password must be 1 to 256 characters long' })
  password: string;
}
