import { Injectable } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { mustAlwaysHaveSecondFactor } from '../second-factor/second-factor-policy';
import { TwoFactorCredentialRepository } from '../second-factor/two-factor-credential.repository';
import { UserRepository } from '../users/user.repository';

export interface MeView {
  id: string;
  username: string;
  resellerId: string | null;
  role: Actor['role'];
  email: string | null;
  twoFactor: { availableForReseller: boolean; enabled: boolean };
}

@Injectable()
export class AccountService {
  constructor(
    private readonly resellers: ResellerDirectory,
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly users: UserRepository,
  ) {}

  async me(actor: Actor): Promise<MeView> {
    return {
      id: actor.userId,
      username: actor.username,
      resellerId: actor.resellerId,
      role: actor.role,
      email: (await this.users.findById(actor.userId))?.email ?? null,
      twoFactor: {
        // Agents have no reseller, and 2FA is always available to them (they must have it).
        availableForReseller:
          mustAlwaysHaveSecondFactor(actor) || (await this.resellers.isTwoFactorAvailable(actor.resellerId)),
        enabled: await this.credentials.isActive(actor.userId),
      },
    };
  }
}
