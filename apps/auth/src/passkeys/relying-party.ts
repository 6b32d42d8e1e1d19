import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG } from '@simplewebauthn/server/helpers';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import type { StoredPasskey } from './passkey.repository';
import { WEBAUTHN_CHALLENGE_TTL_SECONDS } from './webauthn-challenge.repository';
import { userHandleOf } from './webauthn-response';

export interface RegisteredCredential {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
}

const TIMEOUT_MS = WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000;

/**
 * EdDSA, ES256, RS256: what authenticators in the field use. The library's default puts ML-DSA-44
 * first wherever the runtime's WebCrypto can verify it (Node 24), and Chromium's passkeys
 * registered that way then failed every sign-in (test/browser-passkeys on Node 24).
 */
const SUPPORTED_ALGORITHMS = [COSEALG.EdDSA, COSEALG.ES256, COSEALG.RS256];

/**
 * This gateway as a WebAuthn relying party (`WEBAUTHN_RP_ID`, `WEBAUTHN_ORIGINS`), over
 * @simplewebauthn/server. Verifying answers null for any response that does not verify — wrong
 * origin, rp id, challenge, signature or counter — and logs why (never a key).
 */
@Injectable()
export class RelyingParty {
  private readonly logger = new Logger(RelyingParty.name);
  private readonly rpId: string;
  private readonly origins: string[];

  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {
    this.rpId = config.webauthn.rpId;
    this.origins = config.webauthn.origins;
  }

  registrationOptions(
    user: { id: string; username: string },
    existing: StoredPasskey[],
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: this.config.TOTP_ISSUER,
      rpID: this.rpId,
      userName: user.username,
      userDisplayName: user.username,
      userID: userHandleOf(user.id),
      attestationType: 'none',
      timeout: TIMEOUT_MS,
      // A discoverable credential when the authenticator can, so the same passkey signs in without a password.
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  }

  /** Request options naming `allowed` (a second step), or none (passwordless: the authenticator picks). */
  authenticationOptions(
    allowed: StoredPasskey[],
    userVerification: 'preferred' | 'required',
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.rpId,
      timeout: TIMEOUT_MS,
      userVerification,
      allowCredentials: allowed.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
    });
  }

  async verifyRegistration(
    response: RegistrationResponseJSON,
    challenge: string,
  ): Promise<RegisteredCredential | null> {
    try {
      const { verified, registrationInfo } = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origins,
        expectedRPID: this.rpId,
        requireUserVerification: false,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      });
      if (!verified) return null;
      return {
        credentialId: registrationInfo.credential.id,
        publicKey: registrationInfo.credential.publicKey,
        counter: registrationInfo.credential.counter,
        transports: response.response.transports ?? [],
        deviceType: registrationInfo.credentialDeviceType,
        backedUp: registrationInfo.credentialBackedUp,
      };
    } catch (error) {
      this.logger.warn(`passkey registration refused: ${(error as Error).message}`);
      return null;
    }
  }

  /** The counter the authenticator reported, or null when the assertion does not verify against `passkey`. */
  async verifyAuthentication(
    response: AuthenticationResponseJSON,
    challenge: string,
    passkey: StoredPasskey,
    requireUserVerification: boolean,
  ): Promise<number | null> {
    try {
      const { verified, authenticationInfo } = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origins,
        expectedRPID: this.rpId,
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(passkey.publicKey),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification,
      });
      return verified ? authenticationInfo.newCounter : null;
    } catch (error) {
      this.logger.warn(`passkey assertion refused: ${(error as Error).message}`);
      return null;
    }
  }
}
