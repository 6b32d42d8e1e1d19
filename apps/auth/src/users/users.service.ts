import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import type { CreateUserDto } from './dto/create-user.dto';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';
import { toUserView, type UserView } from './user.view';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly resellers: ResellerDirectory,
  ) {}

  /** Agents add anyone; a reseller admin adds reseller users and admins to its own reseller only. */
  async create(actor: Actor, body: CreateUserDto, correlationId: string): Promise<UserView> {
    if (actor.role === 'reseller_admin') {
      if (body.role === 'agent')
        throw new DomainError(403, ErrorCodes.Forbidden, 'Only support agents can create agent accounts.');
      if (body.resellerId !== actor.resellerId) {
        throw new DomainError(403, ErrorCodes.Forbidden, 'You can only add users to your own reseller.');
      }
    } else if (actor.role !== 'agent') {
      throw new DomainError(403, ErrorCodes.Forbidden, 'Only support agents and reseller admins can add users.');
    }
    if (body.role === 'agent' && body.resellerId) {
      throw new DomainError(400, ErrorCodes.ValidationFailed, 'An agent belongs to no reseller: leave resellerId out.');
    }
    if (body.role !== 'agent') {
      if (!body.resellerId)
        throw new DomainError(
          400,
          ErrorCodes.ValidationFailed,
          'resellerId is required for reseller users and admins.',
        );
      await this.resellers.requireExisting(body.resellerId, correlationId);
    }
    const created = await this.users.insertIfAbsent({
      id: randomUUID(),
      username: body.username,
      passwordHash: await this.hasher.hash(body.password),
      resellerId: body.role === 'agent' ? null : body.resellerId!,
      role: body.role,
      email: body.email ?? null,
    });
    if (!created)
      throw new DomainError(409, ErrorCodes.UsernameTaken, `The username "${body.username}" is already taken.`);
    return toUserView(created);
  }
}
