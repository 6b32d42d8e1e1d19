import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes, ResellerRpc, searchWords, type Actor, type ResellerView } from '@pbx2fa/contracts';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { ResellerPolicyRepository } from '../reseller-policy/reseller-policy.repository';
import { requireAgent } from '../sessions/require-role';
import type { CreateResellerDto } from './dto/create-reseller.dto';
import { RESELLER_SETTINGS_CLIENT, type ResellerSettingsClient } from '../common/service-clients';

@Injectable()
export class ResellersGatewayService {
  constructor(
    @Inject(RESELLER_SETTINGS_CLIENT) private readonly resellerSettings: ResellerSettingsClient,
    private readonly directory: ResellerDirectory,
    private readonly policies: ResellerPolicyRepository,
  ) {}

  /** From the gateway's copy of the resellers, which every reseller.created event adds to. */
  async search(actor: Actor, q: string | undefined): Promise<{ items: { id: string; name: string }[] }> {
    requireAgent(actor, 'look resellers up');
    return { items: await this.policies.search(searchWords(q), 20) };
  }

  async create(actor: Actor, body: CreateResellerDto, correlationId: string): Promise<ResellerView> {
    requireAgent(actor, 'create resellers');
    const created = await this.resellerSettings.call(ResellerRpc.Create, body, { correlationId, actor });
    await this.directory.remember(created);
    return created;
  }

  /** Agents read any reseller; a reseller admin reads its own. */
  async get(actor: Actor, id: string, correlationId: string): Promise<ResellerView> {
    const ownReseller = actor.role === 'reseller_admin' && actor.resellerId === id;
    if (actor.role !== 'agent' && !ownReseller) {
      throw new DomainError(403, ErrorCodes.Forbidden, 'Only support agents, or admins of this reseller, can view it.');
    }
    const reseller = await this.resellerSettings.call(ResellerRpc.Get, { id }, { correlationId, actor });
    await this.directory.remember(reseller);
    return reseller;
  }
}
