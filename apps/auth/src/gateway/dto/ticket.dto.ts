import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  GRACE_DAYS_MAX,
  GRACE_DAYS_MIN,
  TextLimits,
  TICKET_PAGE_SIZE_DEFAULT,
  TicketSorts,
  TicketStatuses,
  TicketTypes,
  USERNAME_PATTERN,
  type TicketSort,
  type TicketStatus,
  type TicketType,
} from '@pbx2fa/contracts';
import { PageCursor, PageLimit, ResellerIdField, TextField, UsernameField } from '../../common/input-fields';

export class CreateTicketDto {
  @ApiProperty({ enum: TicketTypes })
  @IsIn(TicketTypes, { message: `type must be one of ${TicketTypes.join(', ')}` })
  type: TicketType;

  @TextField('subject', 1, TextLimits.ticketSubject, {
    optional: true,
    doc: { description: 'defaults to a sentence naming the request' },
  })
  subject?: string;

  @TextField('description', 0, TextLimits.ticketDescription, { optional: true })
  description?: string;

  @UsernameField('targetUsername', {
    optional: true,
    message: 'targetUsername must be a username',
    doc: { description: 'the user whose 2FA to reset; required for reset_user_2fa, only there' },
  })
  targetUsername?: string;

  @ApiPropertyOptional({
    minimum: GRACE_DAYS_MIN,
    maximum: GRACE_DAYS_MAX,
    description:
      'require_2fa only, and required there: days users get to set up 2FA once it is approved (0: at their next sign-in)',
  })
  @IsOptional()
  @IsInt({ message: 'graceDays must be a whole number of days' })
  @Min(GRACE_DAYS_MIN, { message: `graceDays must be at least ${GRACE_DAYS_MIN}` })
  @Max(GRACE_DAYS_MAX, { message: `graceDays must be at most ${GRACE_DAYS_MAX}` })
  graceDays?: number;

  @ResellerIdField('resellerId', {
    optional: true,
    doc: { description: "agents only: the reseller the ticket is for (others' tickets are for their own)" },
  })
  resellerId?: string;
}

export class ListTicketsQueryDto {
  @ApiPropertyOptional({ enum: TicketStatuses })
  @IsOptional()
  @IsIn(TicketStatuses, { message: `status must be one of ${TicketStatuses.join(', ')}` })
  status?: TicketStatus;

  @ApiPropertyOptional({ enum: TicketTypes })
  @IsOptional()
  @IsIn(TicketTypes, { message: `type must be one of ${TicketTypes.join(', ')}` })
  type?: TicketType;

  @ResellerIdField('resellerId', {
    optional: true,
    doc: { description: 'agents: any reseller; others: only their own (another is refused with 403)' },
  })
  resellerId?: string;

  @ApiPropertyOptional({ description: 'tickets assigned to this agent (a username), or `me` for the caller' })
  @ValidateIf((query: ListTicketsQueryDto) => query.assignee !== 'me')
  @UsernameField('assignee', { optional: true, message: 'assignee must be a username, or me' })
  assignee?: string;

  @TextField('q', 0, TextLimits.search, {
    optional: true,
    doc: {
      description:
        'words to find (every one must match) in the subject, description, reseller id or reseller name, or opener',
      example: 'bluewave password',
    },
  })
  q?: string;

  @ApiPropertyOptional({
    enum: TicketSorts,
    description: 'by creation time; open tickets (status=open) default to oldest, any other list to newest',
  })
  @IsOptional()
  @IsIn(TicketSorts, { message: `sort must be one of ${TicketSorts.join(', ')}` })
  sort?: TicketSort;

  @PageLimit(TICKET_PAGE_SIZE_DEFAULT)
  limit?: number;

  @PageCursor('nextCursor of the previous page, with the same sort')
  cursor?: string;
}

export class CommentDto {
  @TextField('body', 1, TextLimits.comment)
  body: string;

  @ApiPropertyOptional({
    default: false,
    description: "agents only: a note for agents, never shown to the reseller's users",
  })
  @IsOptional()
  @IsBoolean({ message: 'internal must be true or false' })
  internal?: boolean;
}

export class AssignDto {
  @ApiProperty({ type: String, nullable: true, description: "an agent's username, or null to unassign" })
  @IsDefined({ message: "assignee is required: an agent's username, or null" })
  @ValidateIf((body: AssignDto) => body.assignee !== null)
  @IsString({ message: "assignee must be an agent's username, or null" })
  @Matches(USERNAME_PATTERN, { message: "assignee must be an agent's username, or null" })
  assignee: string | null;
}

export class ApproveDto {
  @TextField('note', 0, TextLimits.decisionNote, { optional: true })
  note?: string;
}

export class RejectDto {
  @TextField('reason', 1, TextLimits.decisionNote, { doc: { description: 'shown to the reseller' } })
  reason: string;
}
