import { IsString, Length } from 'class-validator';

export class LoginDto {
  @IsString()
  @Length(1, 64, { message: 'username must be 1 to 64 characters long' })
  username: string;

  @IsString()
  @Length(1, 256, { message: 'password must be 1 to 256 characters long' })
  password: string;
}
