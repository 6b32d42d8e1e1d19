import { BadRequestException } from '@nestjs/common';
import { IsObject, IsString, Length } from 'class-validator';
import { ExactlyOneOf } from './exactly-one-of';
import { strictValidationPipe } from './validation.pipe';

@ExactlyOneOf(['passcode', 'recoveryCode'])
class TwoWaysDto {
  @IsString()
  @Length(1, 200)
  challengeToken: string;

  @IsString({ message: 'passcode must be text' })
  passcode?: string;

  @IsString({ message: 'recoveryCode must be text' })
  recoveryCode?: string;
}

@ExactlyOneOf(['passcode', 'recoveryCode', 'passkey'])
class ThreeWaysDto {
  @IsString({ message: 'passcode must be text' })
  passcode?: string;

  @IsString({ message: 'recoveryCode must be text' })
  recoveryCode?: string;

  @IsObject({ message: 'passkey must be an object' })
  passkey?: object;
}

async function problemWith(dto: new () => object, body: unknown): Promise<string | null> {
  try {
    await strictValidationPipe().transform(body, { type: 'body', metatype: dto });
    return null;
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    return (error.getResponse() as { message: string }).message;
  }
}

describe('ExactlyOneOf', () => {
  it('accepts each alternative alone', async () => {
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', passcode: '123456' })).toBeNull();
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', recoveryCode: 'AAAA-BBBB-CCCC' })).toBeNull();
    expect(await problemWith(ThreeWaysDto, { passkey: { id: 'x' } })).toBeNull();
  });

  it('refuses two alternatives, saying so before what is wrong with either', async () => {
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', passcode: '1', recoveryCode: 123 })).toBe(
      'Send either a passcode or a recoveryCode, not both.',
    );
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', passcode: '1', recoveryCode: null })).toBe(
      'Send either a passcode or a recoveryCode, not both.',
    );
  });

  it('refuses none, and names them', async () => {
    expect(await problemWith(TwoWaysDto, { challengeToken: 't' })).toBe('Send either a passcode or a recoveryCode.');
    expect(await problemWith(ThreeWaysDto, {})).toBe('Send either a passcode, a recoveryCode or a passkey.');
  });

  it('refuses several of three', async () => {
    expect(await problemWith(ThreeWaysDto, { passcode: '1', passkey: {}, recoveryCode: 'x' })).toBe(
      'Send either a passcode, a recoveryCode or a passkey, not several.',
    );
  });

  it('checks the type of the one sent, null included', async () => {
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', recoveryCode: 123 })).toBe(
      'recoveryCode must be text.',
    );
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', passcode: null })).toBe('passcode must be text.');
    expect(await problemWith(ThreeWaysDto, { passkey: 'not an object' })).toBe('passkey must be an object.');
  });

  it('still refuses unknown fields, the name of the rule among them', async () => {
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', passcode: '1', extra: true })).toBe(
      'Unknown field "extra".',
    );
    expect(await problemWith(TwoWaysDto, { challengeToken: 't', passcode: '1', '(body)': 1 })).toBe(
      'Unknown field "(body)".',
    );
  });
});
