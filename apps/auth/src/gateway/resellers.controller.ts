import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { DomainError, ErrorCodes, RESELLER_ID_PATTERN, type Actor } from '@pbx2fa/contracts';
import { CorrelationId } from '../common/correlation-id';
import { CurrentActor } from '../common/current-actor.decorator';
import { CreateResellerDto } from './dto/create-reseller.dto';
import { ResellerSearchQueryDto } from './dto/reseller-search.dto';
import { ResellersGatewayService } from './resellers.service';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { ResellerResponse, ResellerSearchResponse } from '../docs/responses';

@ApiTags('resellers and users')
@ApiBearerAuth('bearer')
@Controller('resellers')
export class ResellersController {
  constructor(private readonly resellers: ResellersGatewayService) {}

  @ApiOperation({ summary: 'Create a reseller (agents)' })
  @ApiCreatedResponse({ type: ResellerResponse })
  @ApiErrors([403, 'forbidden'], [409, 'reseller_exists'], [503, 'service_unavailable'])
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateResellerDto, @CorrelationId() correlationId: string) {
    return this.resellers.create(actor, body, correlationId);
  }

  @ApiOperation({
    summary: 'Find resellers by words in their name or id, e.g. to filter the desk by a name (agents; at most 20)',
  })
  @ApiOkResponse({ type: ResellerSearchResponse })
  @ApiErrors([403, 'forbidden'])
  @Get()
  search(@CurrentActor() actor: Actor, @Query() query: ResellerSearchQueryDto) {
    return this.resellers.search(actor, query.q);
  }

  @ApiOperation({ summary: 'Read a reseller (agents; reseller admins their own)' })
  @ApiOkResponse({ type: ResellerResponse })
  @ApiErrors([400, 'invalid_id'], [403, 'forbidden'], [404, 'reseller_not_found'], [503, 'service_unavailable'])
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string, @CorrelationId() correlationId: string) {
    if (!RESELLER_ID_PATTERN.test(id))
      throw new DomainError(400, ErrorCodes.InvalidId, `"${id.slice(0, 60)}" is not a reseller id.`);
    return this.resellers.get(actor, id, correlationId);
  }
}
