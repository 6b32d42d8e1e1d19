import { Inject, Injectable } from '@nestjs/common';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { Clock } from '../common/clock';
import { AUTH_CONFIG, type AuthConfig } from '../config';

/** Asymmetric algorithms only: `none` and HMAC (a public key used as a shared secret) never pass. */
const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** An assertion is a one-shot hand-over; anything living longer than this is refused. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 600;
/** How far past its expiry (and before its start) an assertion is still accepted, for clock skew. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 30;

export interface VerifiedAssertion {
  username: string;
  jti: string;
  expiresAt: Date;
}

const invalid = (why: string) =>
  new DomainError(401, ErrorCodes.InvalidAssertion, `The RingOS sign-in could not be accepted: ${why}.`);

/** Checks a RingOS SSO assertion: signature by the configured key, issuer, audience, expiry and claims. */
@Injectable()
export class RingosAssertionVerifier {
  private readonly key: KeyObject | null;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly clock: Clock,
  ) {
    this.key = config.RINGOS_SSO_PUBLIC_KEY
      ? createPublicKey(config.RINGOS_SSO_PUBLIC_KEY.replace(/\\n/g, '\n'))
      : null;
  }

  get configured(): boolean {
    return this.key !== null && Boolean(this.config.RINGOS_SSO_ISSUER);
  }

  async verify(assertion: string): Promise<VerifiedAssertion> {
    if (!this.key || !this.config.RINGOS_SSO_ISSUER)
      throw invalid('RingOS single sign-on is not configured on this server');
    const now = this.clock.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.key, {
        algorithms: ALLOWED_ALGORITHMS,
        issuer: this.config.RINGOS_SSO_ISSUER,
        audience: this.config.RINGOS_SSO_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'jti'],
        currentDate: now,
        clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw invalid(describe(error));
    }
    const username = payload.sub!;
    const jti = payload.jti!;
    const expiresAt = new Date(payload.exp! * 1000);
    if (expiresAt.getTime() - now.getTime() > MAX_ASSERTION_LIFETIME_SECONDS * 1000)
      throw invalid('it is valid for too long');
    if (jti.length > 200 || username.length > 64) throw invalid('its claims are malformed');
    return { username, jti, expiresAt };
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `its "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature is not valid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is signed with an algorithm that is not accepted';
  return 'it is not a valid signed assertion';
}
