import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class ResellerSearchQueryDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'words in the name or id; empty lists the first resellers' })
  @IsOptional()
  @IsString()
  @Length(0, 100, { message: 'q must be at most 100 characters long' })
  q?: string;
}
