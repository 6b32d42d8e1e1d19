import { expectError, type Gateway, type SignedInUser } from './support/api';
import { awayFromStepEdge, passcodeForStep, stepAt, untilStep } from './support/totp';
import {
  challengeFor,
  enroll,
  passwordLogin,
  startSetup,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { useStack } from './support/e2e';

/** Signing in after Google Authenticator is on: password, then passcode or recovery code. */
describe('signing in with a passcode', () => {
  let gw: Gateway;
  let admin: SignedInUser;
  let enrolledDuringStep: number;
  const users: Record<'ann' | 'ben' | 'cat' | 'dan' | 'eve' | 'fay' | 'gus', EnrolledUser> = {} as never;

  useStack((started) => ({ gw } = started));

  beforeAll(async () => {
    const reseller = await gw.factory.reseller();
    admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    const names = Object.keys({ ann: 0, ben: 0, cat: 0, dan: 0, eve: 0, fay: 0, gus: 0 }) as (keyof typeof users)[];
    const enrolled = await Promise.all(
      names.map(async () => enroll(await gw.factory.signedInUser({ resellerId: reseller.id }))),
    );
    names.forEach((name, index) => (users[name] = enrolled[index]));
    enrolledDuringStep = Math.max(...enrolled.map((user) => user.authenticator.lastUsedStep)) + 1;
  });

  const verify = (body: object) => gw.anon.post('/auth/login/verify', body);
  /** The passcode of `step`, noted as handed to the server. */
  const passcode = (user: EnrolledUser, step: number) => {
    user.authenticator.used(step);
    return passcodeForStep(user.authenticator.secret, step);
  };

  it('asks an enrolled user for a passcode after the right password, with a challenge naming their methods instead of a token', async () => {
    const response = await passwordLogin(gw.anon, users.ann);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'two_factor_required',
      challengeToken: expect.any(String),
      expiresIn: expect.any(Number),
      methods: ['totp', 'recovery_code'],
      rememberDeviceDays: 30,
    });
    expect(response.body.expiresIn).toBeGreaterThan(0);
  });

  it('signs in with the passcode the app shows now, and the token works', async () => {
    const challengeToken = await challengeFor(gw.anon, users.ann);
    const response = await verify({ challengeToken, passcode: passcode(users.ann, stepAt()) });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'authenticated',
      accessToken: expect.any(String),
      expiresIn: expect.any(Number),
    });

    const me = await gw.anon.as(response.body.accessToken).get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      username: users.ann.username,
      twoFactor: { availableForReseller: true, enabled: true },
    });
  });

  it('refuses passcodes two steps away, saying the code changes every 30 seconds', async () => {
    const user = users.dan;
    const challengeToken = await challengeFor(gw.anon, user);
    await awayFromStepEdge();
    const now = stepAt();
    for (const step of [now - 2, now + 2]) {
      const response = await verify({ challengeToken, passcode: passcodeForStep(user.authenticator.secret, step) });
      expectError(response, 401, 'invalid_passcode');
      expect(response.body.message).toMatch(/30 seconds/);
    }
    const current = await verify({ challengeToken, passcode: passcode(user, now) });
    expect(current.status).toBe(200);
  });

  it('refuses a passcode that was already used, even on a fresh challenge, and any earlier one', async () => {
    const user = users.eve;
    const step = stepAt();
    const code = passcode(user, step);
    expect((await verify({ challengeToken: await challengeFor(gw.anon, user), passcode: code })).status).toBe(200);

    const freshChallenge = await challengeFor(gw.anon, user);
    const replay = await verify({ challengeToken: freshChallenge, passcode: code });
    expectError(replay, 401, 'invalid_passcode');
    expect(replay.body.message).toMatch(/30 seconds/);
    expectError(
      await verify({ challengeToken: freshChallenge, passcode: passcodeForStep(user.authenticator.secret, step - 1) }),
      401,
      'invalid_passcode',
    );
  });

  it('uses a challenge only once', async () => {
    const user = users.fay;
    const challengeToken = await challengeFor(gw.anon, user);
    const step = stepAt();
    expect((await verify({ challengeToken, passcode: passcode(user, step) })).status).toBe(200);

    const again = await verify({ challengeToken, passcode: passcode(user, step + 1) });
    expectError(again, 401, 'invalid_challenge');
  });

  it('refuses a challenge it never issued', async () => {
    const response = await verify({
      challengeToken: 'bm90LWEtcmVhbC1jaGFsbGVuZ2U',
      passcode: passcodeForStep(users.fay.authenticator.secret, stepAt()),
    });
    expectError(response, 401, 'invalid_challenge');
  });

  it('accepts a recovery code once, then refuses it', async () => {
    const user = users.gus;
    const [first, second] = user.recoveryCodes;
    const used = await verify({ challengeToken: await challengeFor(gw.anon, user), recoveryCode: first });
    expect(used.status).toBe(200);
    expect(used.body).toEqual({
      status: 'authenticated',
      accessToken: expect.any(String),
      expiresIn: expect.any(Number),
    });

    const challengeToken = await challengeFor(gw.anon, user);
    expectError(await verify({ challengeToken, recoveryCode: first }), 401, 'invalid_passcode');
    expect((await verify({ challengeToken, recoveryCode: second })).status).toBe(200);
  });

  it('says on /auth/me how many recovery codes are left: ten, one fewer after each used, ten again after a new set', async () => {
    const user = await enroll(await gw.factory.signedInUser({ resellerId: admin.resellerId }));
    const left = async (token: string) => (await gw.anon.as(token).get('/auth/me')).body.twoFactor.recoveryCodesLeft;
    expect(await left(user.token)).toBe(10);
    // Without a second factor there is nothing to count.
    expect((await admin.client.get('/auth/me')).body.twoFactor).not.toHaveProperty('recoveryCodesLeft');

    const signIn = async (recoveryCode: string) =>
      (await verify({ challengeToken: await challengeFor(gw.anon, user), recoveryCode })).body.accessToken as string;
    expect(await left(await signIn(user.recoveryCodes[0]))).toBe(9);
    const token = await signIn(user.recoveryCodes[1]);
    expect(await left(token)).toBe(8);
    // A refused code uses nothing up.
    expectError(await verify({ challengeToken: await challengeFor(gw.anon, user), recoveryCode: 'NOT-A-CODE' }), 401);
    expect(await left(token)).toBe(8);

    const renewed = await gw.anon.as(token).post('/auth/2fa/recovery-codes', {
      currentPassword: user.password,
      passcode: await user.authenticator.freshPasscode(),
    });
    expect(renewed.status).toBe(200);
    expect(await left(token)).toBe(10);
  });

  it('refuses a challenge answered with both a passcode and a recovery code, or with a factor that is not text', async () => {
    const user = users.gus;
    const challengeToken = await challengeFor(gw.anon, user);
    for (const recoveryCode of [123, false, null, ['x'], { code: 'x' }, user.recoveryCodes[5]]) {
      const response = await verify({ challengeToken, passcode: '123456', recoveryCode });
      expectError(response, 400, 'validation_failed');
      expect(response.body.message).toBe('Send either a passcode, a recoveryCode or a passkey, not both.');
    }
    expectError(await verify({ challengeToken }), 400, 'validation_failed');
    expectError(await verify({ challengeToken, recoveryCode: 123 }), 400, 'validation_failed');
    expectError(await verify({ challengeToken, passcode: 123456 }), 400, 'validation_failed');
    // None of them was a guess: the challenge and the recovery code still work.
    expect((await verify({ challengeToken, recoveryCode: user.recoveryCodes[5] })).status).toBe(200);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const someone = await gw.factory.user({ resellerId: admin.resellerId });
    const wrongPassword = await gw.anon.post('/auth/login', {
      username: someone.username,
      password: `${someone.password}-typo`,
    });
    const unknownUser = await gw.anon.post('/auth/login', {
      username: `nobody-${someone.username}`,
      password: someone.password,
    });
    expectError(wrongPassword, 401, 'invalid_credentials');
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.body).toEqual(wrongPassword.body);
  });

  it('never asks a user whose reseller has no 2FA', async () => {
    const outsider = await gw.factory.user();
    const response = await passwordLogin(gw.anon, outsider);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'authenticated',
      accessToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
  });

  it('does not ask a user who has not activated an authenticator, even with a setup started', async () => {
    const newcomer = await gw.factory.signedInUser({ resellerId: admin.resellerId });
    expect((await passwordLogin(gw.anon, newcomer)).body.status).toBe('authenticated');
    await startSetup(newcomer);
    expect((await passwordLogin(gw.anon, newcomer)).body.status).toBe('authenticated');
  });

  describe('a phone clock off by one step', () => {
    it("accepts the next step's passcode (the phone runs ahead)", async () => {
      const user = users.ben;
      const response = await verify({
        challengeToken: await challengeFor(gw.anon, user),
        passcode: passcode(user, stepAt() + 1),
      });
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('authenticated');
    });

    it("accepts the previous step's passcode (the phone runs behind)", async () => {
      const user = users.cat;
      // Activation used up the step before enrolment; the previous step must be a later one.
      await untilStep(enrolledDuringStep + 1);
      await awayFromStepEdge();
      const response = await verify({
        challengeToken: await challengeFor(gw.anon, user),
        passcode: passcode(user, stepAt() - 1),
      });
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('authenticated');
    });
  });
});
