import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { DomainError, ErrorCodes, RESELLER_ID_PATTERN, type Actor } from '@pbx2fa/contracts';
import { CorrelationId } from '../common/correlation-id';
import { CurrentActor } from '../sessions/current-actor.decorator';
import { CreateResellerDto } from './dto/create-reseller.dto';
import { ResellersGatewayService } from './resellers.service';

@Controller('resellers')
export class ResellersController {
  constructor(private readonly resellers: ResellersGatewayService) {}

  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateResellerDto, @CorrelationId() correlationId: string) {
    return this.resellers.create(actor, body, correlationId);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string, @CorrelationId() correlationId: string) {
    if (!RESELLER_ID_PATTERN.test(id)) throw new DomainError(400, ErrorCodes.InvalidId, `"${id.slice(0, 60)}" is not a reseller id.`);
    return this.resellers.get(actor, id, correlationId);
  }
}
