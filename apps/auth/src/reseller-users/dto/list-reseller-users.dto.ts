import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageCursor, PageLimit } from '../../common/input-fields';

export const RESELLER_USERS_PAGE_SIZE_DEFAULT = 50;

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

  @PageLimit(RESELLER_USERS_PAGE_SIZE_DEFAULT)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
