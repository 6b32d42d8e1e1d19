import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AccessTokenService, type ClientInfo, type IssuedToken } from '../sessions/access-token.service';
import { PasswordHasher } from '../users/password-hasher';
import { UserRepository } from '../users/user.repository';
import type { LoginDto } from './dto/login.dto';

const INVALID_CREDENTIALS = new DomainError(401, ErrorCodes.InvalidCredentials, 'The username or password is incorrect.');

@Injectable()
export class LoginService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenService,
  ) {}

  /** An unknown user and a wrong password get the same answer after the same work. */
  async login(body: LoginDto, client: ClientInfo): Promise<IssuedToken> {
    const user = await this.users.findByUsername(body.username);
    const passwordOk = user ? await this.hasher.verify(user.passwordHash, body.password) : await this.hasher.verifyNobody(body.password);
    if (!user || !passwordOk) throw INVALID_CREDENTIALS;
    return this.tokens.issue(user, ['pwd'], client);
  }
}
