import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { CorrelationId } from '../common/correlation-id';
import { CurrentActor } from '../sessions/current-actor.decorator';
import { ApproveDto, CommentDto, CreateTicketDto, EmptyDto, ListTicketsQueryDto, RejectDto } from './dto/ticket.dto';
import { TicketIdPipe } from './ticket-id.pipe';
import { TicketsGatewayService } from './tickets.service';

@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsGatewayService) {}

  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateTicketDto, @CorrelationId() correlationId: string) {
    return this.tickets.create(actor, body, correlationId);
  }

  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ListTicketsQueryDto, @CorrelationId() correlationId: string) {
    return this.tickets.list(actor, query, correlationId);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', TicketIdPipe) id: string, @CorrelationId() correlationId: string) {
    return this.tickets.get(actor, id, correlationId);
  }

  @Post(':id/comments')
  comment(
    @CurrentActor() actor: Actor,
    @Param('id', TicketIdPipe) id: string,
    @Body() body: CommentDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.tickets.comment(actor, id, body, correlationId);
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(@CurrentActor() actor: Actor, @Param('id', TicketIdPipe) id: string, @Body() body: ApproveDto, @CorrelationId() correlationId: string) {
    return this.tickets.approve(actor, id, body, correlationId);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(@CurrentActor() actor: Actor, @Param('id', TicketIdPipe) id: string, @Body() body: RejectDto, @CorrelationId() correlationId: string) {
    return this.tickets.reject(actor, id, body, correlationId);
  }

  /** Withdrawn by its opener. */
  @Post(':id/close')
  @HttpCode(200)
  close(@CurrentActor() actor: Actor, @Param('id', TicketIdPipe) id: string, @Body() _body: EmptyDto, @CorrelationId() correlationId: string) {
    return this.tickets.close(actor, id, correlationId);
  }
}
