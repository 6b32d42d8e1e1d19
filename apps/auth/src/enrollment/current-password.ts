import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import type { ClientInfo } from '../sessions/access-token.service';
import { AttemptThrottle, passwordKey } from '../throttle/attempt-throttle';
import { PasswordHasher } from '../users/password-hasher';
import type { User } from '../users/user.entity';

/** The account-security page asks for the current password; wrong ones count like wrong sign-ins. */
@Injectable()
export class CurrentPasswordCheck {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly throttle: AttemptThrottle,
  ) {}

  async require(user: User, password: string, client: ClientInfo): Promise<void> {
    const key = passwordKey(user.username, client.ip);
    const throttleState = await this.throttle.assertOpen(key, 'passwords');
    if (await this.hasher.verify(user.passwordHash, password)) {
      await this.throttle.recordSuccess(key, throttleState);
      return;
    }
    await this.throttle.recordFailure(key);
    throw new DomainError(
      400,
      ErrorCodes.InvalidCurrentPassword,
      'Your current password is not correct. Check it (and Caps Lock) and try again.',
    );
  }
}
