import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCodes, RESELLER_ID_PATTERN, type Actor } from '@pbx2fa/contracts';
import { CorrelationId } from '../common/correlation-id';
import { ApiErrors } from '../docs/api-errors.decorator';
import { ResellerUserPageResponse } from '../docs/responses';
import { CurrentActor } from '../common/current-actor.decorator';
import { ListResellerUsersQueryDto } from './dto/list-reseller-users.dto';
import { ResellerUsersService } from './reseller-users.service';

@ApiTags('resellers and users')
@ApiBearerAuth('bearer')
@Controller('resellers')
export class ResellerUsersController {
  constructor(private readonly users: ResellerUsersService) {}

  @ApiOperation({
    summary: "A reseller's users: who has 2FA, with which methods, their last sign-in, and who still has to enroll",
    description:
      'Reseller admins for their own reseller, agents for any. Ordered by username; pass nextCursor as cursor for the next page.',
  })
  @ApiOkResponse({ type: ResellerUserPageResponse })
  @ApiErrors(
    [400, 'invalid_id'],
    [400, 'invalid_cursor'],
    [403, 'forbidden'],
    [404, 'reseller_not_found'],
    [503, 'service_unavailable'],
  )
  @Get(':id/users')
  list(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: ListResellerUsersQueryDto,
    @CorrelationId() correlationId: string,
  ) {
    if (!RESELLER_ID_PATTERN.test(id))
      throw new DomainError(400, ErrorCodes.InvalidId, `"${id.slice(0, 60)}" is not a reseller id.`);
    return this.users.list(actor, id, query, correlationId);
  }
}
