import { IsString, Length, Matches } from 'class-validator';
import { RESELLER_ID_PATTERN } from '@pbx2fa/contracts';
import { ApiProperty } from '@nestjs/swagger';

export class CreateResellerDto {
  @ApiProperty({ example: 'acme', pattern: '^[a-z0-9-]{2,40}$' })
  @IsString()
  @Matches(RESELLER_ID_PATTERN, { message: 'id must be 2 to 40 characters of a-z, 0-9 and "-"' })
  id: string;

  @ApiProperty({ example: 'Acme Telecom' })
  @IsString()
  @Length(1, 200, { message: 'name must be 1 to 200 characters long' })
  name: string;
}
