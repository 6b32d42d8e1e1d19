import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export const TwoFactorFilters = ['enabled', 'missing'] as const;
export type TwoFactorFilter = (typeof TwoFactorFilters)[number];

export class ListResellerUsersQueryDto {
  @ApiPropertyOptional({
    enum: TwoFactorFilters,
    description: 'enabled: users with a second factor; missing: those who still have to enroll',
  })
  @IsOptional()
  @IsIn(TwoFactorFilters, { message: `twoFactor must be one of ${TwoFactorFilters.join(', ')}` })
  twoFactor?: TwoFactorFilter;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(100, { message: 'limit must be at most 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 500, { message: 'cursor is not valid' })
  cursor?: string;
}
