import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { SoftwareAuthenticator, type RequestOptionsJSON } from './webauthn';

const ORIGIN = 'http://localhost:3000';
const RP_ID = 'localhost';

/** The API tests' software authenticator builds what a real one builds: the server library accepts it, and refuses it bent. */
describe('SoftwareAuthenticator', () => {
  async function registered() {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await generateRegistrationOptions({ rpName: 'PBX Dashboard', rpID: RP_ID, userName: 'alice' });
    const response = authenticator.register(options);
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
    if (!verified.verified) throw new Error('registration did not verify');
    return { authenticator, credential: verified.registrationInfo.credential };
  }

  const verify = async (
    authenticator: SoftwareAuthenticator,
    credential: Awaited<ReturnType<typeof registered>>['credential'],
    options: RequestOptionsJSON,
    response = authenticator.authenticate(options),
  ) =>
    verifyAuthenticationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential,
    });

  it('registers an ES256 passkey with attestation none that the library verifies', async () => {
    const { credential } = await registered();
    expect(credential.counter).toBe(0);
    expect(credential.publicKey.length).toBeGreaterThan(60);
  });

  it('signs assertions the library verifies, counting up by one', async () => {
    const { authenticator, credential } = await registered();
    const options = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: credential.id }] });
    const result = await verify(authenticator, credential, options);
    expect(result).toMatchObject({ verified: true, authenticationInfo: { newCounter: 1, userVerified: true } });
  });

  it('answers a discoverable request with the user handle of the credential', async () => {
    const { authenticator } = await registered();
    const response = authenticator.authenticate(await generateAuthenticationOptions({ rpID: RP_ID }));
    expect(response.response.userHandle).toBe(authenticator.credentials[0].userHandle);
  });

  it.each([
    ['another origin', { origin: 'https://evil.example' }],
    ['another rp id', { rpId: 'evil.example' }],
    ['another challenge', { challenge: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    ['no user verification', { userVerified: false }],
    ['a counter that went back', { signCount: 0 }],
  ])('is refused by the library when bent: %s', async (_what, bend) => {
    const { authenticator, credential } = await registered();
    const options = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: credential.id }] });
    await verify(authenticator, credential, options); // the counter is now 1
    const stored = { ...credential, counter: 1 };
    await expect(verify(authenticator, stored, options, authenticator.authenticate(options, bend))).rejects.toThrow();
  });
});
