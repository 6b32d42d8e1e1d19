import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Events, type TicketUserTwoFactorResetApprovedPayload } from '@pbx2fa/contracts';
import { OutboxWriter } from '@pbx2fa/messaging';
import { AuditEvents } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { PasskeyRepository } from '../passkeys/passkey.repository';
import { RememberedDeviceRepository } from '../remembered-devices/remembered-device.repository';
import { RecoveryCodeRepository } from '../second-factor/recovery-code.repository';
import { TwoFactorCredentialRepository } from '../second-factor/two-factor-credential.repository';
import { SessionRepository } from '../sessions/session.repository';
import { UserRepository } from '../users/user.repository';

/** An approved "reset user 2FA" ticket: the user's authenticator, passkeys, recovery codes, remembered devices and sessions are cleared. */
@Injectable()
export class TwoFactorResetService {
  private readonly logger = new Logger(TwoFactorResetService.name);

  constructor(
    private readonly users: UserRepository,
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly passkeys: PasskeyRepository,
    private readonly rememberedDevices: RememberedDeviceRepository,
    private readonly sessions: SessionRepository,
    private readonly audit: AuditLog,
    private readonly outbox: OutboxWriter,
  ) {}

  async resetByTicket(
    manager: EntityManager,
    approval: TicketUserTwoFactorResetApprovedPayload,
    correlationId: string,
  ): Promise<void> {
    const user = await this.users.findInReseller(approval.targetUsername, approval.resellerId);
    if (user) {
      const hadAuthenticator = await this.credentials.remove(user.id, manager);
      const passkeysRemoved = await this.passkeys.removeAll(manager, user.id);
      await this.recoveryCodes.removeAll(manager, user.id);
      // Whoever holds the lost phone may be signed in too: every session ends, none is the caller's.
      const sessionsEnded = await this.sessions.revokeAllOfUser(manager, user.id);
      const devicesForgotten = await this.rememberedDevices.removeAllOfUser(manager, user.id);
      await this.audit.record(
        {
          event: AuditEvents.TwoFactorReset,
          outcome: 'success',
          username: user.username,
          userId: user.id,
          resellerId: user.resellerId,
          actor: approval.approvedBy,
          detail: { ticketId: approval.ticketId, hadAuthenticator, passkeysRemoved, sessionsEnded, devicesForgotten },
        },
        manager,
      );
    } else {
      // The ticket still resolves: there is nothing left to reset for a user who is gone.
      this.logger.warn(
        `reset ticket ${approval.ticketId}: no user ${approval.targetUsername} in ${approval.resellerId}`,
      );
    }
    await this.outbox.add(
      manager,
      Events.UserTwoFactorReset,
      { ticketId: approval.ticketId, resellerId: approval.resellerId, username: approval.targetUsername },
      correlationId,
    );
  }
}
