import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { deviceLabel } from '../common/browser-name';
import { Clock } from '../common/clock';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { rememberDeviceDays } from '../second-factor/second-factor-policy';
import type { ClientInfo } from '../sessions/access-token.service';
import type { User } from '../users/user.entity';
import { RememberedDeviceRepository, type RememberedDeviceView } from './remembered-device.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Device tokens are stored and looked up by this hash only. A plain SHA-256 is enough: the token
 * is 256 random bits, so nobody can guess it back from the hash, and a salt or a slow hash would
 * only cost every sign-in time (as for challenges and sessions' tokens here).
 */
export const deviceTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * "Remember this device": after a completed second factor, a random token the browser keeps; with
 * the right password it skips the second factor until it expires (the reseller's current
 * `rememberDeviceDays` from its creation), is forgotten on Profile, or every device of the user
 * is forgotten with a change of factors or password (in that change's transaction).
 */
@Injectable()
export class RememberedDevicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly devices: RememberedDeviceRepository,
    private readonly resellers: ResellerDirectory,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** How many days a device of this user is remembered now; 0 when it is not offered. */
  async daysFor(user: Pick<User, 'role' | 'resellerId'>): Promise<number> {
    const policy = await this.resellers.policyOf(user.resellerId);
    return rememberDeviceDays(user, policy?.rememberDeviceDays);
  }

  /** Remembers the browser of `client` for `days`, with its audit entry (which sends the security mail): its token. */
  async remember(user: User, client: ClientInfo, days: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const now = this.clock.now();
    const label = deviceLabel(client.userAgent);
    await this.dataSource.transaction(async (manager) => {
      await this.devices.insert(manager, {
        id,
        userId: user.id,
        tokenHash: deviceTokenHash(token),
        label,
        createdAt: now,
        expiresAt: new Date(now.getTime() + days * DAY_MS),
      });
      await this.audit.record(
        {
          ...auditSubject(user, client),
          event: AuditEvents.DeviceRemembered,
          outcome: 'success',
          detail: { deviceId: id, label, days },
        },
        manager,
      );
    });
    return token;
  }

  /**
   * The id of the user's device `token` names while it still skips the second factor under
   * `days` (marking it used); null for anything else, which the caller answers as if no token came.
   * Only asked while devices are remembered at all (`days` > 0): the caller checks that first.
   */
  recognise(userId: string, token: string, days: number): Promise<string | null> {
    return this.devices.use(userId, deviceTokenHash(token), days, this.clock.now());
  }

  async list(actor: Actor): Promise<{ items: RememberedDeviceView[] }> {
    const days = await this.daysFor(actor);
    return { items: days > 0 ? await this.devices.list(actor.userId, days, this.clock.now()) : [] };
  }

  /** Forgets one of the caller's own devices; 404 for an id that is not one (another user's included). */
  async forget(actor: Actor, id: string, client: ClientInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const label = await this.devices.remove(manager, actor.userId, id);
      if (label === null)
        throw new DomainError(404, ErrorCodes.NotFound, 'You have no remembered device with that id.');
      await this.audit.record(
        {
          ...auditSubject({ id: actor.userId, username: actor.username, resellerId: actor.resellerId }, client),
          event: AuditEvents.DeviceForgotten,
          outcome: 'success',
          detail: { deviceId: id, label },
        },
        manager,
      );
    });
  }
}
