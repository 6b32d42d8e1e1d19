import { Injectable } from '@nestjs/common';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { Clock } from '../common/clock';
import { CurrentPasswordCheck } from '../throttle/current-password';
import { RememberedDeviceRepository } from '../remembered-devices/remembered-device.repository';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { RecoveryCodeRepository } from '../second-factor/recovery-code.repository';
import { newRecoveryCodes } from '../second-factor/recovery-codes';
import {
  hasFactor,
  mustAlwaysHaveSecondFactor,
  twoFactorNotEnabledForReseller,
} from '../second-factor/second-factor-policy';
import { TwoFactorCredentialRepository } from '../second-factor/two-factor-credential.repository';
import { AccessTokenService, type ClientInfo } from '../sessions/access-token.service';
import { SessionRepository, type LiveSession } from '../sessions/session.repository';
import type { User } from '../users/user.entity';
import { UserRepository } from '../users/user.repository';
import type { RegisterPasskeyDto } from './dto/passkey.dto';
import { PasskeyRepository, type PasskeyView } from './passkey.repository';
import { RelyingParty } from './relying-party';
import { WebauthnChallengeRepository } from './webauthn-challenge.repository';
import { parseRegistrationResponse } from './webauthn-response';

export interface RegisteredPasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  /** Only when the passkey is the user's first factor: shown once. */
  recoveryCodes?: string[];
  /** Only when the caller was signing in with an enrollment token: the sign-in is now complete. */
  accessToken?: string;
  expiresIn?: number;
}

const invalidPasskey = (message: string) => new DomainError(400, ErrorCodes.InvalidPasskey, message);
const alreadyEnrolled = () =>
  new DomainError(
    409,
    ErrorCodes.TwoFactorAlreadyEnabled,
    'Your account already has a second factor: sign in with it, then add passkeys from Profile.',
  );
const enrollmentEnded = () =>
  new DomainError(
    401,
    ErrorCodes.Unauthorized,
    'This sign-in has expired or was already completed. Please sign in again: your passkey was not saved.',
  );

/**
 * Profile → Change Account Security → Add a Passkey, under the same rule as Google Authenticator
 * (allowed when the reseller has 2FA; agents always), with the current password. The first
 * factor of either kind brings the recovery codes; with an enrollment token it completes the
 * sign-in. Adding or removing a passkey ends the user's other sessions and forgets their remembered devices.
 */
@Injectable()
export class PasskeyRegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly passkeys: PasskeyRepository,
    private readonly challenges: WebauthnChallengeRepository,
    private readonly relyingParty: RelyingParty,
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly currentPassword: CurrentPasswordCheck,
    private readonly resellers: ResellerDirectory,
    private readonly sessions: SessionRepository,
    private readonly rememberedDevices: RememberedDeviceRepository,
    private readonly tokens: AccessTokenService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async options(actor: Actor, session: LiveSession): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const user = await this.requireAllowed(actor, session);
    const options = await this.relyingParty.registrationOptions(user, await this.passkeys.credentialsOf(user.id));
    await this.challenges.create(options.challenge, 'registration', { userId: user.id }, this.clock.now());
    return options;
  }

  async register(
    actor: Actor,
    session: LiveSession,
    body: RegisterPasskeyDto,
    client: ClientInfo,
  ): Promise<RegisteredPasskeyView> {
    const user = await this.requireAllowed(actor, session);
    const parsed = parseRegistrationResponse(body.response);
    if (!parsed)
      throw invalidPasskey('That is not a passkey registration: send the response of startRegistration() as it is.');
    await this.currentPassword.require(user, body.currentPassword, client);
    const now = this.clock.now();
    if (!(await this.challenges.isLive(parsed.challenge, 'registration', { userId: user.id }, now)))
      throw invalidPasskey('This passkey request has expired or was already used. Choose "Add a Passkey" again.');
    const credential = await this.relyingParty.verifyRegistration(parsed.response, parsed.challenge);
    if (!credential)
      throw invalidPasskey('The passkey could not be verified. Choose "Add a Passkey" again on this page.');

    const id = randomUUID();
    const name = body.name.trim();
    const codes = newRecoveryCodes();
    const extra = await this.dataSource.transaction(async (manager) => {
      // One registration of a user at a time: two first passkeys at once must not both bring codes.
      await this.users.lockForUpdate(manager, user.id);
      if (!(await this.challenges.consume(parsed.challenge, 'registration', now, manager)))
        throw invalidPasskey('This passkey request was already used. Choose "Add a Passkey" again.');
      const first = !hasFactor(await this.credentials.methodsOf(user.id, manager));
      if (session.purpose === 'enrollment' && !first) throw alreadyEnrolled();
      const inserted = await this.passkeys.insert(manager, {
        id,
        userId: user.id,
        name,
        createdAt: now,
        ...credential,
      });
      if (!inserted) throw invalidPasskey('This passkey is already registered. Use it to sign in, or add another one.');
      if (first) await this.recoveryCodes.replaceAll(manager, user.id, codes);
      const otherSessionsEnded = await this.sessions.revokeAllOfUser(manager, user.id, session.sessionId);
      const devicesForgotten = await this.rememberedDevices.removeAllOfUser(manager, user.id);
      await this.audit.record(
        {
          ...auditSubject(user, client),
          event: AuditEvents.PasskeyRegistered,
          outcome: 'success',
          detail: { passkeyId: id, firstFactor: first, otherSessionsEnded, devicesForgotten },
        },
        manager,
      );
      if (!first) return {};
      if (session.purpose !== 'enrollment') return { recoveryCodes: codes };
      const signIn = {
        ...auditSubject(user, client),
        event: AuditEvents.LoginSecondFactor,
        outcome: 'success' as const,
        detail: { method: 'passkey', enrolled: true },
      };
      const issued = await this.tokens.completeEnrollment(
        manager,
        session.sessionId,
        user,
        ['pwd', 'hwk', 'mfa'],
        client,
        signIn,
      );
      if (!issued) throw enrollmentEnded(); // rolls the registration back
      return { recoveryCodes: codes, accessToken: issued.accessToken, expiresIn: issued.expiresIn };
    });
    return { id, name, createdAt: now, ...extra };
  }

  async list(actor: Actor): Promise<{ items: PasskeyView[] }> {
    return { items: await this.passkeys.list(actor.userId) };
  }

  /**
   * Removes one passkey. An agent may not remove its last second factor; anyone else who removes
   * the last one has 2FA off, and the recovery codes that backed it up go with it.
   */
  async remove(actor: Actor, session: LiveSession, id: string, currentPassword: string, client: ClientInfo) {
    const user = await this.requireUser(actor);
    await this.currentPassword.require(user, currentPassword, client);
    await this.dataSource.transaction(async (manager) => {
      await this.users.lockForUpdate(manager, user.id);
      const name = await this.passkeys.remove(manager, user.id, id);
      if (name === null) throw new DomainError(404, ErrorCodes.NotFound, 'You have no passkey with that id.');
      const left = await this.credentials.methodsOf(user.id, manager);
      const lastFactor = !hasFactor(left);
      if (lastFactor && mustAlwaysHaveSecondFactor(user)) {
        throw new DomainError(
          403,
          ErrorCodes.TwoFactorMandatory,
          'Support agents must always keep a second factor: add another passkey or set up Google Authenticator before removing this one.',
        );
      }
      if (lastFactor) await this.recoveryCodes.removeAll(manager, user.id);
      const otherSessionsEnded = await this.sessions.revokeAllOfUser(manager, user.id, session.sessionId);
      const devicesForgotten = await this.rememberedDevices.removeAllOfUser(manager, user.id);
      await this.audit.record(
        {
          ...auditSubject(user, client),
          event: AuditEvents.PasskeyRemoved,
          outcome: 'success',
          detail: { passkeyId: id, lastFactor, otherSessionsEnded, devicesForgotten },
        },
        manager,
      );
    });
  }

  /** Who may register: as for Google Authenticator; an enrollment token only while the account has no factor. */
  private async requireAllowed(actor: Actor, session: LiveSession): Promise<User> {
    const user = await this.requireUser(actor);
    if (!mustAlwaysHaveSecondFactor(user) && !(await this.resellers.isTwoFactorAvailable(user.resellerId)))
      throw twoFactorNotEnabledForReseller();
    if (session.purpose === 'enrollment' && hasFactor(await this.credentials.methodsOf(user.id)))
      throw alreadyEnrolled();
    return user;
  }

  private async requireUser(actor: Actor): Promise<User> {
    const user = await this.users.findById(actor.userId);
    if (!user) throw new DomainError(401, ErrorCodes.Unauthorized, 'Your account no longer exists.');
    return user;
  }
}
