import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { hasFactor, type FactorMethod } from '../second-factor/second-factor-policy';
import { RESELLER_USERS_PAGE_SIZE_DEFAULT, type ListResellerUsersQueryDto } from './dto/list-reseller-users.dto';
import { ResellerUsersRepository, type ResellerUserRow } from './reseller-users.repository';
import { decodeUserCursor, encodeUserCursor } from './user-cursor';

export interface ResellerUserView {
  username: string;
  role: Actor['role'];
  /** `methods`: the second factors the user holds (totp, passkey); recovery codes only back them up. */
  twoFactor: { enabled: boolean; methods: FactorMethod[] };
  lastLoginAt: string | null;
}

export interface ResellerUserPage {
  items: ResellerUserView[];
  nextCursor: string | null;
}

function toView(row: ResellerUserRow): ResellerUserView {
  const methods = row.methods.filter((method) => method !== 'recovery_code');
  return {
    username: row.username,
    role: row.role,
    twoFactor: { enabled: hasFactor(methods), methods },
    lastLoginAt: row.lastLoginAt ? new Date(row.lastLoginAt).toISOString() : null,
  };
}

/** Who of a reseller has a second factor and who still has to enroll: its admins and agents may look. */
@Injectable()
export class ResellerUsersService {
  constructor(
    private readonly users: ResellerUsersRepository,
    private readonly directory: ResellerDirectory,
  ) {}

  async list(
    actor: Actor,
    resellerId: string,
    query: ListResellerUsersQueryDto,
    correlationId: string,
  ): Promise<ResellerUserPage> {
    const ownReseller = actor.role === 'reseller_admin' && actor.resellerId === resellerId;
    if (actor.role !== 'agent' && !ownReseller) {
      throw new DomainError(
        403,
        ErrorCodes.Forbidden,
        "Only support agents, or admins of this reseller, can see its users' security.",
      );
    }
    const after = query.cursor === undefined ? undefined : decodeUserCursor(query.cursor);
    await this.directory.requireExisting(resellerId, correlationId);
    const limit = query.limit ?? RESELLER_USERS_PAGE_SIZE_DEFAULT;
    // One row more than asked tells whether there is a next page.
    const rows = await this.users.list({
      resellerId,
      hasFactor: query.twoFactor === undefined ? undefined : query.twoFactor === 'enabled',
      after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit ? encodeUserCursor(page[page.length - 1].username) : null,
    };
  }
}
