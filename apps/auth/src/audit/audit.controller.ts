import { Controller, Get, Query } from '@nestjs/common';
import { IsOptional, IsString, Length } from 'class-validator';
import { type Actor } from '@pbx2fa/contracts';
import { PageLimit, ResellerIdField } from '../common/input-fields';
import { CurrentActor } from '../common/current-actor.decorator';
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

  @ResellerIdField('resellerId', { optional: true })
  resellerId?: string;

  @PageLimit(100, 500)
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
