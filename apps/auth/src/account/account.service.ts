import { Injectable } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { Clock } from '../common/clock';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import {
  enrollmentDaysLeft,
  hasFactor,
  mustAlwaysHaveSecondFactor,
  type FactorMethod,
} from '../second-factor/second-factor-policy';
import { TwoFactorCredentialRepository } from '../second-factor/two-factor-credential.repository';
import { UserRepository } from '../users/user.repository';

export interface MeView {
  id: string;
  username: string;
  resellerId: string | null;
  role: Actor['role'];
  email: string | null;
  twoFactor: {
    availableForReseller: boolean;
    /** The user has a second factor (an authenticator or a passkey); `methods`: which. */
    enabled: boolean;
    methods: FactorMethod[];
    /**
     * Only inside the grace period of the reseller's `required` mode, for a user without a factor:
     * the deadline, and the whole days left until then (the last day counts as 1).
     */
    enrollBy?: string;
    enrollmentDaysLeft?: number;
    /** Only with a second factor: the unused recovery codes that back it up. */
    recoveryCodesLeft?: number;
  };
}

@Injectable()
export class AccountService {
  constructor(
    private readonly resellers: ResellerDirectory,
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly clock: Clock,
    private readonly users: UserRepository,
  ) {}

  async me(actor: Actor): Promise<MeView> {
    const [policy, { methods, recoveryCodesLeft }, user] = await Promise.all([
      this.resellers.policyOf(actor.resellerId),
      this.credentials.factorsOf(actor.userId),
      this.users.findById(actor.userId),
    ]);
    const reseller = policy && { mode: policy.twoFactorMode, enrollBy: policy.enrollBy && new Date(policy.enrollBy) };
    const enabled = hasFactor(methods);
    const daysLeft = enrollmentDaysLeft(enabled, reseller, this.clock.now());
    return {
      id: actor.userId,
      username: actor.username,
      resellerId: actor.resellerId,
      role: actor.role,
      email: user?.email ?? null,
      twoFactor: {
        // Agents have no reseller, and 2FA is always available to them (they must have it).
        availableForReseller: mustAlwaysHaveSecondFactor(actor) || (policy?.twoFactorEnabled ?? false),
        enabled,
        methods,
        ...(daysLeft !== null && reseller?.enrollBy
          ? { enrollBy: reseller.enrollBy.toISOString(), enrollmentDaysLeft: daysLeft }
          : {}),
        ...(enabled ? { recoveryCodesLeft } : {}),
      },
    };
  }
}
