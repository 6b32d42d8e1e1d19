import { Body, Controller, Post } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { CorrelationId } from '../common/correlation-id';
import { CurrentActor } from '../common/current-actor.decorator';
import { CreateUserDto } from './dto/create-user.dto';
import { UsersService } from './users.service';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { UserResponse } from '../docs/responses';

@ApiTags('resellers and users')
@ApiBearerAuth('bearer')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @ApiOperation({ summary: 'Add a user (agents: anyone; reseller admins: users and admins of their own reseller)' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors([403, 'forbidden'], [404, 'reseller_not_found'], [409, 'username_taken'], [503, 'service_unavailable'])
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto, @CorrelationId() correlationId: string) {
    return this.users.create(actor, body, correlationId);
  }
}
