import { Controller, Get, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { RESELLER_ID_PATTERN, type Actor } from '@pbx2fa/contracts';
import { CurrentActor } from '../sessions/current-actor.decorator';
import { visibleAuditQuery } from './audit-access';
import { AuditLog } from './audit-log';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { AuditPageResponse } from '../docs/responses';

export class AuditQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64, { message: 'username must be 1 to 64 characters long' })
  username?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(RESELLER_ID_PATTERN, { message: 'resellerId must be 2 to 40 characters of a-z, 0-9 and "-"' })
  resellerId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(500, { message: 'limit must be at most 500' })
  limit?: number;
}

@ApiTags('operations')
@ApiBearerAuth('bearer')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @ApiOperation({ summary: "Security events, newest first (agents; reseller admins their own reseller's)" })
  @ApiOkResponse({ type: AuditPageResponse })
  @ApiErrors([403, 'forbidden'])
  @Get()
  async list(@CurrentActor() actor: Actor, @Query() query: AuditQueryDto) {
    return { items: await this.audit.list(visibleAuditQuery(actor, query)) };
  }
}
