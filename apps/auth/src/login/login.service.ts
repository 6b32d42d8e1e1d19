import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { Clock } from '../common/clock';
import {
  enrollmentReason,
  rememberDeviceDays,
  secondFactorAsked,
  type EnrollmentReason,
  type FactorMethod,
} from '../second-factor/second-factor-policy';
import { PasskeySignInService } from '../passkeys/passkey-sign-in.service';
import { SecondFactorVerifier, type SecondFactorMethod } from '../second-factor/second-factor.verifier';
import {
  AccessTokenService,
  type ClientInfo,
  type IssuedEnrollmentToken,
  type IssuedToken,
} from '../sessions/access-token.service';
import { RememberedDevicesService } from '../remembered-devices/remembered-devices.service';
import { AttemptThrottle, secondFactorKey } from '../throttle/attempt-throttle';
import { PasswordCheck } from '../throttle/password-check';
import type { User } from '../users/user.entity';
import { CHALLENGE_TTL_SECONDS, ChallengeRepository, challengeTokenHash } from './challenge.repository';
import { PasswordSignInRepository } from './password-sign-in.repository';
import type { LoginDto } from './dto/login.dto';
import type { VerifyLoginDto } from './dto/verify-login.dto';

export interface ChallengeIssued {
  status: 'two_factor_required';
  challengeToken: string;
  expiresIn: number;
  methods: FactorMethod[];
  /** Whether the second step offers "Remember this device", and for how many days; 0: not offered. */
  rememberDeviceDays: number;
}

export interface Verified extends IssuedToken {
  /** Only with `rememberDevice: true` while the reseller offers it: the token this browser keeps. */
  deviceToken?: string;
}

export interface EnrollmentIssued extends IssuedEnrollmentToken {
  status: 'enrollment_required';
  reason: EnrollmentReason;
}

const invalidCredentials = () =>
  new DomainError(401, ErrorCodes.InvalidCredentials, 'The username or password is incorrect.');
const invalidChallenge = () =>
  new DomainError(
    401,
    ErrorCodes.InvalidChallenge,
    'This sign-in has expired or was already completed. Please sign in again.',
  );

/** RFC 8176 methods of a completed second step: a passkey is a hardware-held key (`hwk`). */
const AMR: Record<SecondFactorMethod, string[]> = {
  passcode: ['pwd', 'otp', 'mfa'],
  recovery_code: ['pwd', 'mfa'],
  passkey: ['pwd', 'hwk', 'mfa'],
};

/**
 * A password sign-in whose second step a remembered device stood in for. No `mfa`: no second
 * factor was shown in this sign-in (`device` is this service's own value, RFC 8176 §2 allows
 * others), so a back end that wants one shown now can tell.
 */
const REMEMBERED_DEVICE_AMR = ['pwd', 'device'];

/**
 * Password sign-in, then — when the user's reseller has 2FA on and the user activated it, or the
 * user is an agent — a short-lived, single-use challenge answered with a passcode or a recovery
 * code. An agent without a second factor, and a user without one whose reseller requires it past
 * its grace period, get an enrollment token instead (second-factor-policy.ts).
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly signIns: PasswordSignInRepository,
    private readonly passwords: PasswordCheck,
    private readonly tokens: AccessTokenService,
    private readonly challenges: ChallengeRepository,
    private readonly verifier: SecondFactorVerifier,
    private readonly passkeys: PasskeySignInService,
    private readonly rememberedDevices: RememberedDevicesService,
    private readonly throttle: AttemptThrottle,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** An unknown user and a wrong password get the same answer after the same work. */
  async login(body: LoginDto, client: ClientInfo): Promise<IssuedToken | ChallengeIssued | EnrollmentIssued> {
    const { user, secondFactorRequired, factorMethods, reseller, resellerRememberDeviceDays } = await this.signIns.find(
      body.username,
    );
    if (!(await this.passwords.verify(body.username, user, body.password, client, 'sign_in')) || !user)
      throw invalidCredentials();

    const reason = enrollmentReason(user, factorMethods, reseller, this.clock.now());
    if (reason) return this.requireEnrollment(user, reason, client);
    // Asked when the reseller has 2FA on and the user activated it, and of agents; a Host header has no say.
    if (secondFactorAsked(user, factorMethods, secondFactorRequired)) {
      const days = rememberDeviceDays(user, resellerRememberDeviceDays);
      if (body.deviceToken !== undefined && days > 0) {
        const signedIn = await this.signInWithDevice(user, body.deviceToken, days, client);
        if (signedIn) return signedIn;
      }
      const challengeToken = await this.challenges.create(user.id, this.clock.now());
      return {
        status: 'two_factor_required',
        challengeToken,
        expiresIn: CHALLENGE_TTL_SECONDS,
        methods: factorMethods,
        rememberDeviceDays: days,
      };
    }
    return this.tokens.issue(user, ['pwd'], client, {
      ...auditSubject(user, client),
      event: AuditEvents.Login,
      outcome: 'success',
      detail: { amr: 'pwd' },
    });
  }

  async verify(body: VerifyLoginDto, client: ClientInfo): Promise<Verified> {
    const challenge = await this.challenges.findLive(body.challengeToken, this.clock.now());
    if (!challenge) throw invalidChallenge();
    const { user } = challenge;
    const tokenHash = challengeTokenHash(body.challengeToken);
    let method: SecondFactorMethod;
    if (body.passkey !== undefined) {
      await this.passkeys.verifySecondFactor(user, body.passkey, tokenHash, client);
      method = 'passkey';
    } else {
      method = await this.verifier.verify(
        user,
        { passcode: body.passcode, recoveryCode: body.recoveryCode },
        client,
        401,
        challenge.secondFactor,
      );
    }
    const issued = await this.tokens.issueForChallenge(
      user,
      AMR[method],
      client,
      { ...auditSubject(user, client), event: AuditEvents.LoginSecondFactor, outcome: 'success', detail: { method } },
      { tokenHash, now: this.clock.now() },
    );
    if (!issued) throw invalidChallenge();
    if (body.rememberDevice !== true) return issued;
    const days = await this.rememberedDevices.daysFor(user);
    if (days <= 0) return issued;
    return { ...issued, deviceToken: await this.rememberedDevices.remember(user, client, days) };
  }

  /**
   * The sign-in a remembered device completes without a second step, or null when the token does
   * not name a device of this user that is still remembered — the caller then asks as usual, so a
   * wrong, expired, forgotten or another user's token looks exactly like none. A device stands in
   * for the second factor, so it waits out a lock as the second factor would (after five wrong
   * passcodes someone is guessing with the password: the second step answers 429 until it ends).
   */
  private async signInWithDevice(user: User, token: string, days: number, client: ClientInfo) {
    if (await this.throttle.isLocked(secondFactorKey(user.id))) return null;
    const deviceId = await this.rememberedDevices.recognise(user.id, token, days);
    if (!deviceId) return null;
    return this.tokens.issue(user, REMEMBERED_DEVICE_AMR, client, {
      ...auditSubject(user, client),
      event: AuditEvents.Login,
      outcome: 'success',
      detail: { amr: REMEMBERED_DEVICE_AMR.join(' '), deviceId },
    });
  }

  /** WebAuthn request options for the second step of a live sign-in, naming the user's own passkeys. */
  async passkeyOptions(challengeToken: string) {
    const challenge = await this.challenges.findLive(challengeToken, this.clock.now());
    if (!challenge) throw invalidChallenge();
    return this.passkeys.secondFactorOptions(challenge.user, challengeTokenHash(challengeToken));
  }

  private async requireEnrollment(user: User, reason: EnrollmentReason, client: ClientInfo): Promise<EnrollmentIssued> {
    const audit = {
      ...auditSubject(user, client),
      event: AuditEvents.LoginEnrollmentRequired,
      outcome: 'success' as const,
      detail: { reason },
    };
    return { status: 'enrollment_required', ...(await this.tokens.issueEnrollment(user, client, audit)), reason };
  }
}
