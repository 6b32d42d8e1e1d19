import { Body, Controller, Post } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { CorrelationId } from '../common/correlation-id';
import { CurrentActor } from '../sessions/current-actor.decorator';
import { CreateUserDto } from './dto/create-user.dto';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto, @CorrelationId() correlationId: string) {
    return this.users.create(actor, body, correlationId);
  }
}
