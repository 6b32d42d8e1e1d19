import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  GRACE_DAYS_MAX,
  GRACE_DAYS_MIN,
  MAX_SEARCH_LENGTH,
  RESELLER_ID_PATTERN,
  TicketSorts,
  TicketStatuses,
  TicketTypes,
  type TicketSort,
  type TicketStatus,
  type TicketType,
} from '@pbx2fa/contracts';
import { USERNAME_PATTERN } from '../../users/dto/create-user.dto';

const RESELLER_ID_MESSAGE = { message: 'resellerId must be 2 to 40 characters of a-z, 0-9 and "-"' };

export class CreateTicketDto {
  @ApiProperty({ enum: TicketTypes })
  @IsIn(TicketTypes, { message: `type must be one of ${TicketTypes.join(', ')}` })
  type: TicketType;

  @ApiPropertyOptional({ maxLength: 200, description: 'defaults to a sentence naming the request' })
  @IsOptional()
  @IsString()
  @Length(1, 200, { message: 'subject must be 1 to 200 characters long' })
  subject?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @Length(0, 5000, { message: 'description must be at most 5000 characters long' })
  description?: string;

  @ApiPropertyOptional({ description: 'the user whose 2FA to reset; required for reset_user_2fa, only there' })
  @IsOptional()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'targetUsername must be a username' })
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

  @ApiPropertyOptional({
    description: "agents only: the reseller the ticket is for (others' tickets are for their own)",
  })
  @IsOptional()
  @IsString()
  @Matches(RESELLER_ID_PATTERN, RESELLER_ID_MESSAGE)
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

  @ApiPropertyOptional({ description: 'agents: any reseller; others: only their own (another is refused with 403)' })
  @IsOptional()
  @IsString()
  @Matches(RESELLER_ID_PATTERN, RESELLER_ID_MESSAGE)
  resellerId?: string;

  @ApiPropertyOptional({ description: 'tickets assigned to this agent (a username), or `me` for the caller' })
  @IsOptional()
  @ValidateIf((query: ListTicketsQueryDto) => query.assignee !== 'me')
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'assignee must be a username, or me' })
  assignee?: string;

  @ApiPropertyOptional({
    maxLength: MAX_SEARCH_LENGTH,
    description:
      'words to find (every one must match) in the subject, description, reseller id or reseller name, or opener',
    example: 'bluewave password',
  })
  @IsOptional()
  @IsString()
  @Length(0, MAX_SEARCH_LENGTH, { message: `q must be at most ${MAX_SEARCH_LENGTH} characters long` })
  q?: string;

  @ApiPropertyOptional({
    enum: TicketSorts,
    description: 'by creation time; open tickets (status=open) default to oldest, any other list to newest',
  })
  @IsOptional()
  @IsIn(TicketSorts, { message: `sort must be one of ${TicketSorts.join(', ')}` })
  sort?: TicketSort;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(100, { message: 'limit must be at most 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page, with the same sort' })
  @IsOptional()
  @IsString()
  @Length(1, 500, { message: 'cursor is not valid' })
  cursor?: string;
}

export class CommentDto {
  @ApiProperty({ maxLength: 5000 })
  @IsString()
  @Length(1, 5000, { message: 'body must be 1 to 5000 characters long' })
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
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000, { message: 'note must be at most 2000 characters long' })
  note?: string;
}

export class RejectDto {
  @ApiProperty({ maxLength: 2000, description: 'shown to the reseller' })
  @IsString()
  @Length(1, 2000, { message: 'reason must be 1 to 2000 characters long' })
  reason: string;
}

export class EmptyDto {}
