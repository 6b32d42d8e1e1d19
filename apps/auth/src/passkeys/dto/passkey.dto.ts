import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmptyObject, IsObject, IsString, Length, Matches } from 'class-validator';

const RESPONSE_DOC = {
  type: 'object',
  additionalProperties: true,
  description: "the WebAuthn response in its JSON form, as @simplewebauthn/browser's start*() returns it",
} as const;

export class RegisterPasskeyDto {
  @ApiProperty({ ...RESPONSE_DOC, description: 'what startRegistration({ optionsJSON }) returned' })
  @IsObject({ message: 'response must be the object startRegistration() returned' })
  @IsNotEmptyObject({}, { message: 'response must be the object startRegistration() returned' })
  response: Record<string, unknown>;

  @ApiProperty({ example: 'Work laptop', description: 'how the passkey is listed on the Profile page' })
  @IsString()
  @Length(1, 64, { message: 'name must be 1 to 64 characters long' })
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;
}

export class RemovePasskeyDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256, { message: 'currentPassword is required' })
  currentPassword: string;
}

export class PasskeySignInDto {
  @ApiProperty({ ...RESPONSE_DOC, description: 'what startAuthentication({ optionsJSON }) returned' })
  @IsObject({ message: 'response must be the object startAuthentication() returned' })
  @IsNotEmptyObject({}, { message: 'response must be the object startAuthentication() returned' })
  response: Record<string, unknown>;
}

export class LoginPasskeyOptionsDto {
  @ApiProperty({ description: 'from POST /auth/login' })
  @IsString()
  @Length(1, 200, { message: 'challengeToken is required' })
  challengeToken: string;
}
