import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { CorrelationId } from '../common/correlation-id';
import { CurrentActor } from '../common/current-actor.decorator';
import { EmptyDto } from '../common/empty.dto';
import { ApproveDto, AssignDto, CommentDto, CreateTicketDto, ListTicketsQueryDto, RejectDto } from './dto/ticket.dto';
import { TicketIdPipe } from './ticket-id.pipe';
import { TicketsGatewayService } from './tickets.service';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { TicketCommentResponse, TicketPageResponse, TicketResponse } from '../docs/responses';

/** A POST that moves an open ticket on and answers it (200): assign, approve, reject, close. */
function TicketDecision(path: string, summary: string, ...errors: [status: number, code: string][]) {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiOkResponse({ type: TicketResponse }),
    ApiErrors(
      [400, 'invalid_id'],
      [403, 'forbidden'],
      ...errors,
      [404, 'ticket_not_found'],
      [409, 'invalid_transition'],
      [503, 'service_unavailable'],
    ),
    Post(path),
    HttpCode(200),
  );
}

@ApiTags('tickets')
@ApiBearerAuth('bearer')
@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsGatewayService) {}

  @ApiOperation({ summary: 'Open a ticket (enable_2fa, disable_2fa, reset_user_2fa, general)' })
  @ApiCreatedResponse({ type: TicketResponse })
  @ApiErrors([403, 'forbidden'], [404, 'reseller_not_found'], [404, 'user_not_found'], [503, 'service_unavailable'])
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateTicketDto, @CorrelationId() correlationId: string) {
    return this.tickets.create(actor, body, correlationId);
  }

  @ApiOperation({
    summary:
      'List tickets: open ones oldest first, others newest first (or as sort says); search with q; reseller users see their own reseller only',
  })
  @ApiOkResponse({ type: TicketPageResponse })
  @ApiErrors([400, 'invalid_cursor'], [403, 'forbidden'], [503, 'service_unavailable'])
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ListTicketsQueryDto, @CorrelationId() correlationId: string) {
    return this.tickets.list(actor, query, correlationId);
  }

  @ApiOperation({ summary: 'A ticket with its comments and history' })
  @ApiOkResponse({ type: TicketResponse })
  @ApiErrors([400, 'invalid_id'], [404, 'ticket_not_found'], [503, 'service_unavailable'])
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', TicketIdPipe) id: string, @CorrelationId() correlationId: string) {
    return this.tickets.get(actor, id, correlationId);
  }

  @ApiOperation({
    summary:
      'Comment on a ticket: a reply the reseller reads, or (agents, internal: true) a note only agents read; reseller users reply to open tickets only',
  })
  @ApiCreatedResponse({ type: TicketCommentResponse })
  @ApiErrors(
    [400, 'invalid_id'],
    [403, 'forbidden'],
    [404, 'ticket_not_found'],
    [409, 'ticket_not_open'],
    [503, 'service_unavailable'],
  )
  @Post(':id/comments')
  comment(
    @CurrentActor() actor: Actor,
    @Param('id', TicketIdPipe) id: string,
    @Body() body: CommentDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.tickets.comment(actor, id, body, correlationId);
  }

  @TicketDecision(':id/assign', 'Assign an open ticket to an agent, or unassign it with null (agents)')
  assign(
    @CurrentActor() actor: Actor,
    @Param('id', TicketIdPipe) id: string,
    @Body() body: AssignDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.tickets.assign(actor, id, body, correlationId);
  }

  @TicketDecision(
    ':id/approve',
    'Approve an open ticket (agents); a 2FA ticket then resolves itself once the change took effect',
    [403, 'own_ticket'],
  )
  approve(
    @CurrentActor() actor: Actor,
    @Param('id', TicketIdPipe) id: string,
    @Body() body: ApproveDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.tickets.approve(actor, id, body, correlationId);
  }

  @TicketDecision(':id/reject', 'Reject an open ticket with a reason (agents)')
  reject(
    @CurrentActor() actor: Actor,
    @Param('id', TicketIdPipe) id: string,
    @Body() body: RejectDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.tickets.reject(actor, id, body, correlationId);
  }

  /** Withdrawn by its opener. */
  @TicketDecision(':id/close', 'Withdraw an open ticket (its opener)')
  close(
    @CurrentActor() actor: Actor,
    @Param('id', TicketIdPipe) id: string,
    @Body() _body: EmptyDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.tickets.close(actor, id, correlationId);
  }
}
