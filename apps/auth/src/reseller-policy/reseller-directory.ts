import { Inject, Injectable } from '@nestjs/common';
import { DomainError, modeOf, ResellerRpc, type ResellerView } from '@pbx2fa/contracts';
import { RESELLER_SETTINGS_CLIENT, type ResellerSettingsClient } from '../common/service-clients';
import type { ResellerPolicy } from './reseller-policy.entity';
import { ResellerPolicyRepository } from './reseller-policy.repository';

/**
 * What the gateway knows of a reseller: its own copy first; when the copy has not arrived yet
 * (the event is still on its way), the reseller-settings service answers and the copy is filled.
 */
@Injectable()
export class ResellerDirectory {
  constructor(
    private readonly policies: ResellerPolicyRepository,
    @Inject(RESELLER_SETTINGS_CLIENT) private readonly resellerSettings: ResellerSettingsClient,
  ) {}

  async requireExisting(resellerId: string, correlationId: string): Promise<ResellerPolicy | ResellerView> {
    const local = await this.policies.find(resellerId);
    if (local) return local;
    const remote = await this.resellerSettings.call(ResellerRpc.Get, { id: resellerId }, { correlationId });
    await this.remember(remote);
    return remote;
  }

  /** Keeps the copy current from an answer of the reseller-settings service (never rolls back). */
  async remember(reseller: ResellerView): Promise<void> {
    await this.policies.applyIfNewer({
      resellerId: reseller.id,
      name: reseller.name,
      mode: modeOf({ enabled: reseller.twoFactorEnabled, mode: reseller.twoFactorMode }),
      enrollBy: reseller.enrollBy ? new Date(reseller.enrollBy) : null,
      rememberDeviceDays: reseller.rememberDeviceDays,
      version: reseller.version,
    });
  }

  async isTwoFactorAvailable(resellerId: string | null): Promise<boolean> {
    return (await this.policyOf(resellerId))?.twoFactorEnabled ?? false;
  }

  /** The gateway's copy of the reseller's policy; null for no reseller (agents) or one not known yet. */
  policyOf(resellerId: string | null): Promise<ResellerPolicy | null> {
    return resellerId ? this.policies.find(resellerId) : Promise.resolve(null);
  }

  /**
   * Names of these resellers, by id: the copy first, then the reseller-settings service for any
   * the copy does not hold yet. A reseller nobody knows, or a service that cannot answer now, leaves
   * the name out: the tickets are still worth showing without it.
   */
  async namesOf(ids: string[], correlationId: string): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    const names = await this.policies.namesOf(unique);
    for (const id of unique.filter((id) => !names.has(id))) {
      try {
        names.set(id, (await this.requireExisting(id, correlationId)).name);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    return names;
  }
}
