import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { Clock } from '../common/clock';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { RememberedDeviceRepository } from '../remembered-devices/remembered-device.repository';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { RecoveryCodeRepository } from '../second-factor/recovery-code.repository';
import { newRecoveryCodes } from '../second-factor/recovery-codes';
import { PasskeyRepository } from '../passkeys/passkey.repository';
import {
  hasFactor,
  mustAlwaysHaveSecondFactor,
  twoFactorNotEnabledForReseller,
} from '../second-factor/second-factor-policy';
import { SECRET_BOX, SecondFactorVerifier } from '../second-factor/second-factor.verifier';
import type { SecretBox } from '../second-factor/secret-box';
import { newTotpSecret, otpauthUrl } from '../second-factor/totp';
import { TwoFactorCredentialRepository } from '../second-factor/two-factor-credential.repository';
import { AccessTokenService, type ClientInfo } from '../sessions/access-token.service';
import { SessionRepository, type LiveSession } from '../sessions/session.repository';
import type { User } from '../users/user.entity';
import { UserRepository } from '../users/user.repository';
import { CurrentPasswordCheck } from '../throttle/current-password';
import type { ActivateTwoFactorDto, PasswordAndPasscodeDto, PasswordAndSecondFactorDto } from './dto/enrollment.dto';
import { qrCodeDataUrl } from './qr-code';

export interface SetupView {
  otpauthUrl: string;
  secret: string;
  qrCodeDataUrl: string;
}

export interface ActivatedView {
  enabled: true;
  recoveryCodes: string[];
  /** Only when the caller was signing in with an enrollment token: the sign-in is now complete. */
  accessToken?: string;
  expiresIn?: number;
}

const enrollmentEnded = () =>
  new DomainError(
    401,
    ErrorCodes.Unauthorized,
    'This sign-in has expired or was already completed. Please sign in again: your authenticator was not saved.',
  );

/** The Profile page's "Change Account Security": set up, activate, disable, new recovery codes. */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly passkeys: PasskeyRepository,
    private readonly rememberedDevices: RememberedDeviceRepository,
    private readonly verifier: SecondFactorVerifier,
    private readonly currentPassword: CurrentPasswordCheck,
    private readonly resellers: ResellerDirectory,
    private readonly sessions: SessionRepository,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly tokens: AccessTokenService,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** A new pending secret on every call; the active one (if any) is untouched until activation. */
  async setup(actor: Actor, client: ClientInfo): Promise<SetupView> {
    const user = await this.requireUser(actor);
    if (!mustAlwaysHaveSecondFactor(user) && !(await this.resellers.isTwoFactorAvailable(user.resellerId)))
      throw twoFactorNotEnabledForReseller();
    if (await this.credentials.isActive(user.id)) {
      throw new DomainError(
        409,
        ErrorCodes.TwoFactorAlreadyEnabled,
        'Google Authenticator is already set up for your account. Disable it first to set it up again.',
      );
    }
    const secret = newTotpSecret();
    await this.credentials.savePending(user.id, this.secretBox.seal(secret, user.id), this.clock.now());
    await this.audit.record({
      ...auditSubject(user, client),
      event: AuditEvents.TwoFactorSetupStarted,
      outcome: 'success',
    });
    const url = otpauthUrl(this.config.TOTP_ISSUER, user.username, secret);
    return { otpauthUrl: url, secret, qrCodeDataUrl: await qrCodeDataUrl(url) };
  }

  /**
   * Activating, like disabling, ends the user's other sessions (the caller's own stays) and forgets
   * every remembered device, in the activation's transaction. With an enrollment session (a sign-in
   * that had to set up a factor first), activation also completes the sign-in: the enrollment
   * session ends and a full one is opened, in the same transaction as the activation, so there is
   * never a factor saved without the sign-in it finished.
   */
  async activate(
    actor: Actor,
    session: LiveSession,
    body: ActivateTwoFactorDto,
    client: ClientInfo,
  ): Promise<ActivatedView> {
    const user = await this.requireUser(actor);
    const credential = await this.credentials.find(user.id);
    if (credential?.activeSecret) {
      throw new DomainError(
        409,
        ErrorCodes.TwoFactorAlreadyEnabled,
        'Google Authenticator is already set up for your account.',
      );
    }
    if (!credential?.pendingSecret) {
      throw new DomainError(
        409,
        ErrorCodes.NoPendingSetup,
        'Start with "Set Up Google Authenticator" to get a QR code, then enter its passcode.',
      );
    }
    await this.currentPassword.require(user, body.currentPassword, client);
    const step = await this.verifier.verifyPending(user, credential.pendingSecret, body.passcode, client);
    const codes = newRecoveryCodes();
    const activated = await this.dataSource.transaction(async (manager) => {
      if (!(await this.credentials.activate(manager, user.id, credential.pendingSecret!, step, this.clock.now())))
        return null;
      await this.recoveryCodes.replaceAll(manager, user.id, codes);
      const otherSessionsEnded = await this.sessions.revokeAllOfUser(manager, user.id, session.sessionId);
      const devicesForgotten = await this.rememberedDevices.removeAllOfUser(manager, user.id);
      await this.audit.record(
        {
          ...auditSubject(user, client),
          event: AuditEvents.TwoFactorActivated,
          outcome: 'success',
          detail: { otherSessionsEnded, devicesForgotten },
        },
        manager,
      );
      if (session.purpose !== 'enrollment') return {};
      const signIn = {
        ...auditSubject(user, client),
        event: AuditEvents.LoginSecondFactor,
        outcome: 'success' as const,
        detail: { method: 'passcode', enrolled: true },
      };
      const issued = await this.tokens.completeEnrollment(
        manager,
        session.sessionId,
        user,
        ['pwd', 'otp', 'mfa'],
        client,
        signIn,
      );
      if (!issued) throw enrollmentEnded(); // rolls the activation back
      return { accessToken: issued.accessToken, expiresIn: issued.expiresIn };
    });
    if (!activated) {
      throw new DomainError(
        409,
        ErrorCodes.NoPendingSetup,
        'A newer QR code was created meanwhile. Scan the latest one and enter its passcode.',
      );
    }
    return { enabled: true, recoveryCodes: codes, ...activated };
  }

  async disable(
    actor: Actor,
    body: PasswordAndSecondFactorDto,
    client: ClientInfo,
    sessionId: string | null,
  ): Promise<{ enabled: false }> {
    const user = await this.requireUser(actor);
    if (mustAlwaysHaveSecondFactor(user)) {
      throw new DomainError(
        403,
        ErrorCodes.TwoFactorMandatory,
        'Support agents must always keep two-factor authentication, so it cannot be turned off for your account.',
      );
    }
    if (!hasFactor(await this.credentials.methodsOf(user.id))) {
      throw new DomainError(
        409,
        ErrorCodes.TwoFactorNotActive,
        'Two-factor authentication is not on for your account.',
      );
    }
    await this.currentPassword.require(user, body.currentPassword, client);
    await this.verifier.verify(user, { passcode: body.passcode, recoveryCode: body.recoveryCode }, client, 400);
    await this.dataSource.transaction(async (manager) => {
      // Every factor goes: the authenticator, each passkey, and the recovery codes that backed them up.
      await this.credentials.remove(user.id, manager);
      const passkeysRemoved = await this.passkeys.removeAll(manager, user.id);
      await this.recoveryCodes.removeAll(manager, user.id);
      const otherSessionsEnded = await this.sessions.revokeAllOfUser(manager, user.id, sessionId);
      const devicesForgotten = await this.rememberedDevices.removeAllOfUser(manager, user.id);
      await this.audit.record(
        {
          ...auditSubject(user, client),
          event: AuditEvents.TwoFactorDisabled,
          outcome: 'success',
          detail: { otherSessionsEnded, passkeysRemoved, devicesForgotten },
        },
        manager,
      );
    });
    return { enabled: false };
  }

  async regenerateRecoveryCodes(
    actor: Actor,
    body: PasswordAndPasscodeDto,
    client: ClientInfo,
  ): Promise<{ recoveryCodes: string[] }> {
    const user = await this.requireUser(actor);
    await this.requireActive(user.id);
    await this.currentPassword.require(user, body.currentPassword, client);
    await this.verifier.verify(user, { passcode: body.passcode }, client, 400);
    const codes = newRecoveryCodes();
    await this.dataSource.transaction(async (manager) => {
      await this.recoveryCodes.replaceAll(manager, user.id, codes);
      // Someone renews their codes when they fear the old ones leaked: a device remembered with a
      // leaked code must not outlive them.
      const devicesForgotten = await this.rememberedDevices.removeAllOfUser(manager, user.id);
      await this.audit.record(
        {
          ...auditSubject(user, client),
          event: AuditEvents.RecoveryCodesRegenerated,
          outcome: 'success',
          detail: { devicesForgotten },
        },
        manager,
      );
    });
    return { recoveryCodes: codes };
  }

  private async requireUser(actor: Actor): Promise<User> {
    const user = await this.users.findById(actor.userId);
    if (!user) throw new DomainError(401, ErrorCodes.Unauthorized, 'Your account no longer exists.');
    return user;
  }

  private async requireActive(userId: string): Promise<void> {
    if (!(await this.credentials.isActive(userId))) {
      throw new DomainError(409, ErrorCodes.TwoFactorNotActive, 'Google Authenticator is not set up for your account.');
    }
  }
}
