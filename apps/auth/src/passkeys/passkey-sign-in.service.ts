import { Injectable } from '@nestjs/common';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { Clock } from '../common/clock';
import {
  SecondFactorVerifier,
  WRONG_PASSKEY_MESSAGE,
  type CheckOutcome,
} from '../second-factor/second-factor.verifier';
import { AccessTokenService, type ClientInfo, type IssuedToken } from '../sessions/access-token.service';
import type { User } from '../users/user.entity';
import { UserRepository } from '../users/user.repository';
import { PasskeyRepository, type StoredPasskey } from './passkey.repository';
import { RelyingParty } from './relying-party';
import {
  WebauthnChallengeRepository,
  type ChallengeBinding,
  type ChallengePurpose,
} from './webauthn-challenge.repository';
import { parseAuthenticationResponse, userHandleOf, type Parsed } from './webauthn-response';

const EXPIRED_MESSAGE = 'This passkey request has expired or was already used. Choose "Use a Passkey" again.';

const malformed = () =>
  new DomainError(
    400,
    ErrorCodes.InvalidPasskey,
    'That is not a passkey answer: send the response of startAuthentication() as it is.',
  );
const passwordlessRefused = (
  message = 'That passkey could not be verified. Sign in with your username and password.',
) => new DomainError(401, ErrorCodes.InvalidPasskey, message);

/**
 * Signing in with a passkey: as the second step after the password (the user's own passkeys
 * are offered, and only those are accepted), or passwordless with a discoverable passkey and
 * user verification. Either way the challenge is the server's, used once; the credential must
 * belong to the user; the signature counter is checked and stored every time; and the attempt
 * runs under the user's second-factor lock.
 */
@Injectable()
export class PasskeySignInService {
  constructor(
    private readonly passkeys: PasskeyRepository,
    private readonly challenges: WebauthnChallengeRepository,
    private readonly relyingParty: RelyingParty,
    private readonly verifier: SecondFactorVerifier,
    private readonly users: UserRepository,
    private readonly tokens: AccessTokenService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** Request options for the second step of the sign-in `loginChallengeHash` names. */
  async secondFactorOptions(user: User, loginChallengeHash: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const own = await this.passkeys.credentialsOf(user.id);
    if (own.length === 0) {
      throw new DomainError(
        409,
        ErrorCodes.NoPasskey,
        'Your account has no passkey. Enter the passcode from Google Authenticator or a recovery code instead.',
      );
    }
    const options = await this.relyingParty.authenticationOptions(own, 'preferred');
    await this.challenges.create(
      options.challenge,
      'second_factor',
      { userId: user.id, loginChallengeHash },
      this.clock.now(),
    );
    return options;
  }

  /** Checks a passkey as the second step; throws 401 invalid_passcode (counted toward the lock) when it is not right. */
  async verifySecondFactor(
    user: User,
    response: unknown,
    loginChallengeHash: string,
    client: ClientInfo,
  ): Promise<void> {
    const parsed = parseAuthenticationResponse(response);
    if (!parsed) throw malformed();
    await this.verifier.attempt(user, 'passkey', client, { status: 401 }, async () => {
      const passkey = await this.passkeys.findOfUser(user.id, parsed.response.id);
      if (!passkey) return WRONG_PASSKEY_MESSAGE;
      return this.check(parsed, passkey, 'second_factor', { userId: user.id, loginChallengeHash }, false);
    });
  }

  async passwordlessOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await this.relyingParty.authenticationOptions([], 'required');
    await this.challenges.create(options.challenge, 'passwordless', {}, this.clock.now());
    return options;
  }

  /**
   * Passwordless sign-in: the credential names its user. User verification is required (the
   * passkey stands in for the password too); a locked second factor refuses it as it refuses a
   * passcode.
   */
  async signInPasswordless(response: unknown, client: ClientInfo): Promise<IssuedToken> {
    const parsed = parseAuthenticationResponse(response);
    if (!parsed) throw malformed();
    const passkey = await this.passkeys.findByCredentialId(parsed.response.id);
    const user = passkey && (await this.users.findById(passkey.userId));
    const handle = parsed.response.response.userHandle;
    if (
      !passkey ||
      !user ||
      (handle !== undefined && handle !== Buffer.from(userHandleOf(user.id)).toString('base64url'))
    ) {
      await this.audit.record({
        event: AuditEvents.LoginPasskey,
        outcome: 'failure',
        clientIp: client.ip,
        userAgent: client.userAgent,
        detail: { reason: 'unknown_credential' },
      });
      throw passwordlessRefused();
    }
    await this.verifier.attempt(user, 'passkey', client, { status: 401, code: ErrorCodes.InvalidPasskey }, () =>
      this.check(parsed, passkey, 'passwordless', {}, true),
    );
    return this.tokens.issue(user, ['hwk', 'user', 'mfa'], client, {
      ...auditSubject(user, client),
      event: AuditEvents.LoginPasskey,
      outcome: 'success',
      detail: { amr: 'hwk' },
    });
  }

  /**
   * The assertion answers a live challenge of this purpose and binding and verifies against the
   * stored credential; then the challenge is used up and the new counter stored, each by a
   * conditional statement, so of any number of copies sent at once one at most gets through.
   */
  private async check(
    parsed: Parsed<AuthenticationResponseJSON>,
    passkey: StoredPasskey,
    purpose: ChallengePurpose,
    binding: ChallengeBinding,
    requireUserVerification: boolean,
  ): Promise<CheckOutcome> {
    const now = this.clock.now();
    if (!(await this.challenges.isLive(parsed.challenge, purpose, binding, now))) return EXPIRED_MESSAGE;
    const counter = await this.relyingParty.verifyAuthentication(
      parsed.response,
      parsed.challenge,
      passkey,
      requireUserVerification,
    );
    if (counter === null) return WRONG_PASSKEY_MESSAGE;
    if (!(await this.challenges.consume(parsed.challenge, purpose, now))) return EXPIRED_MESSAGE;
    if (!(await this.passkeys.recordUse(passkey, counter, now))) return WRONG_PASSKEY_MESSAGE;
    return true;
  }
}
