import { Injectable } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { hasFactor, mustAlwaysHaveSecondFactor, type FactorMethod } from '../second-factor/second-factor-policy';
import { TwoFactorCredentialRepository } from '../second-factor/two-factor-credential.repository';

export interface MeView {
  id: string;
  username: string;
  resellerId: string | null;
  role: Actor['role'];
  /** `enabled`: the user has a second factor (an authenticator or a passkey); `methods`: which. */
  twoFactor: { availableForReseller: boolean; enabled: boolean; methods: FactorMethod[] };
}

@Injectable()
export class AccountService {
  constructor(
    private readonly resellers: ResellerDirectory,
    private readonly credentials: TwoFactorCredentialRepository,
  ) {}

  async me(actor: Actor): Promise<MeView> {
    const methods = await this.credentials.methodsOf(actor.userId);
    return {
      id: actor.userId,
      username: actor.username,
      resellerId: actor.resellerId,
      role: actor.role,
      twoFactor: {
        // Agents have no reseller, and 2FA is always available to them (they must have it).
        availableForReseller:
          mustAlwaysHaveSecondFactor(actor) || (await this.resellers.isTwoFactorAvailable(actor.resellerId)),
        enabled: hasFactor(methods),
        methods,
      },
    };
  }
}
