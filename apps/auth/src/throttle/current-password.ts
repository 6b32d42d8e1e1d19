import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import type { ClientInfo } from '../sessions/access-token.service';
import { PasswordCheck } from './password-check';
import type { User } from '../users/user.entity';

/** The account-security page asks for the current password; wrong ones count, lock and are audited like wrong sign-ins. */
@Injectable()
export class CurrentPasswordCheck {
  constructor(private readonly passwords: PasswordCheck) {}

  async require(user: User, password: string, client: ClientInfo): Promise<void> {
    if (await this.passwords.verify(user.username, user, password, client, 'current_password')) return;
    throw new DomainError(
      400,
      ErrorCodes.InvalidCurrentPassword,
      'Your current password is not correct. Check it (and Caps Lock) and try again.',
    );
  }
}
