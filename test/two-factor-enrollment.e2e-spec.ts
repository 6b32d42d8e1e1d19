import { expectError, type Gateway, type SignedInUser } from './support/api';
import { readQrCode } from './support/qr';
import {
  Authenticator,
  awayFromStepEdge,
  base32Decode,
  currentPasscode,
  passcodeForStep,
  stepAt,
  wrongPasscode,
} from './support/totp';
import {
  auditOf,
  challengeFor,
  enroll,
  passwordLogin,
  startSetup,
  switchResellerTwoFactor,
  type EnrolledUser,
  type SetupView,
} from './support/two-factor';
import { useStack } from './support/e2e';

/**
 * Profile → "Change Account Security" → "Set Up Google Authenticator", from the ticket that
 * makes it available to turning it off again. The steps share one user, in the order she
 * would take them.
 */
describe('setting up Google Authenticator', () => {
  let gw: Gateway;
  let user: SignedInUser;
  let setup: SetupView;
  let enrolled: EnrolledUser;

  useStack((started) => ({ gw } = started));

  beforeAll(async () => {
    user = await gw.factory.signedInUser();
  });

  const activate = (body: object) => user.client.post('/auth/2fa/activate', body);

  it('refuses setup while the reseller has no 2FA, and tells the user to open a ticket', async () => {
    const response = await user.client.post('/auth/2fa/setup', {});
    expectError(response, 403, 'two_factor_not_enabled_for_reseller');
    expect(response.body.message).toMatch(/ticket/i);
    expect((await user.client.get('/auth/me')).body.twoFactor).toEqual({
      availableForReseller: false,
      enabled: false,
      methods: [],
    });
  });

  it('offers setup once an approved enable_2fa ticket has been resolved', async () => {
    const ticket = await switchResellerTwoFactor(gw, user, true);
    expect(ticket).toMatchObject({ type: 'enable_2fa', status: 'resolved', resellerId: user.resellerId });
    expect((await user.client.get('/auth/me')).body.twoFactor).toEqual({
      availableForReseller: true,
      enabled: false,
      methods: [],
    });
  });

  it('shows an otpauth URL for "PBX Dashboard" with a random key of at least 160 bits', async () => {
    const response = await user.client.post<SetupView>('/auth/2fa/setup', {});
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      otpauthUrl: expect.any(String),
      secret: expect.any(String),
      qrCodeDataUrl: expect.any(String),
    });
    setup = response.body;

    const url = new URL(setup.otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname.slice(1))).toBe(`PBX Dashboard:${user.username}`);
    expect(url.searchParams.get('issuer')).toBe('PBX Dashboard');
    // What Google Authenticator honours; absent parameters mean exactly these defaults.
    expect(url.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(url.searchParams.get('digits') ?? '6').toBe('6');
    expect(url.searchParams.get('period') ?? '30').toBe('30');

    expect(setup.secret).toMatch(/^[A-Z2-7]+=*$/);
    expect(base32Decode(url.searchParams.get('secret') ?? '')).toEqual(base32Decode(setup.secret));
    expect(base32Decode(setup.secret).length * 8).toBeGreaterThanOrEqual(160);
  });

  it('shows a QR code that a phone reads as the same otpauth URL', () => {
    expect(setup.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(readQrCode(setup.qrCodeDataUrl)).toBe(setup.otpauthUrl);
  });

  it('makes a new key on every setup, and only the latest QR code can be activated', async () => {
    const first = setup;
    setup = await startSetup(user);
    expect(setup.secret).not.toBe(first.secret);
    expect(setup.otpauthUrl).not.toBe(first.otpauthUrl);
    expect(readQrCode(setup.qrCodeDataUrl)).toBe(setup.otpauthUrl);

    const stale = await activate({ passcode: currentPasscode(first.secret), currentPassword: user.password });
    expectError(stale, 400, 'invalid_passcode');
  });

  it('refuses a wrong passcode and says the code changes every 30 seconds', async () => {
    const response = await activate({ passcode: wrongPasscode(setup.secret), currentPassword: user.password });
    expectError(response, 400, 'invalid_passcode');
    expect(response.body.message).toMatch(/30 seconds/);
  });

  it('refuses a wrong current password and says it is the current password that is wrong', async () => {
    const response = await activate({
      passcode: currentPasscode(setup.secret),
      currentPassword: `${user.password}-typo`,
    });
    expectError(response, 400, 'invalid_current_password');
    expect(response.body.message).toMatch(/current password/i);
  });

  it('requires the current password, which is mandatory', async () => {
    expectError(await activate({ passcode: currentPasscode(setup.secret) }), 400);
    expect((await user.client.get('/auth/me')).body.twoFactor.enabled).toBe(false);
  });

  it('activates with the passcode and the current password, handing out 10 different recovery codes', async () => {
    // The previous step's code (one step of drift), which leaves this step's and the next for later.
    await awayFromStepEdge();
    const step = stepAt() - 1;
    const response = await activate({ passcode: passcodeForStep(setup.secret, step), currentPassword: user.password });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ enabled: true, recoveryCodes: expect.any(Array) });
    const codes: string[] = response.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toEqual(expect.stringMatching(/\S{6,}/));
    enrolled = { ...user, authenticator: new Authenticator(setup.secret, step), recoveryCodes: codes };
  });

  it('refuses to set up again while Google Authenticator is on', async () => {
    expectError(await user.client.post('/auth/2fa/setup', {}), 409, 'two_factor_already_enabled');
  });

  it('shows 2FA as enabled on the profile', async () => {
    const response = await user.client.get('/auth/me');
    expect(response.body).toEqual({
      id: user.id,
      username: user.username,
      resellerId: user.resellerId,
      role: 'reseller_user',
      email: null,
      twoFactor: {
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 10,
      },
    });
  });

  it('asks for a passcode from the next login on', async () => {
    const response = await passwordLogin(gw.anon, user);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'two_factor_required',
      challengeToken: expect.any(String),
      expiresIn: expect.any(Number),
      methods: ['totp', 'recovery_code'],
      rememberDeviceDays: 30,
    });
  });

  it('refuses at sign-in the passcode that activated the authenticator: a passcode is accepted once', async () => {
    const challengeToken = await challengeFor(gw.anon, user);
    const passcode = passcodeForStep(enrolled.authenticator.secret, enrolled.authenticator.lastUsedStep);
    expectError(await gw.anon.post('/auth/login/verify', { challengeToken, passcode }), 401, 'invalid_passcode');
  });

  it('records the activation in the audit log', async () => {
    const events = await auditOf(gw, user.username);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: expect.stringMatching(/activat/), outcome: 'success' }),
      ]),
    );
  });

  it('refuses activation when no setup was started', async () => {
    const colleague = await gw.factory.signedInUser({ resellerId: user.resellerId });
    const response = await colleague.client.post('/auth/2fa/activate', {
      passcode: '123456',
      currentPassword: colleague.password,
    });
    expectError(response, 409, 'no_pending_setup');
  });

  describe('new recovery codes', () => {
    it('makes a new set with password and passcode, and the old codes stop working', async () => {
      const old = enrolled.recoveryCodes;
      const response = await user.client.post('/auth/2fa/recovery-codes', {
        currentPassword: user.password,
        passcode: await enrolled.authenticator.freshPasscode(),
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ recoveryCodes: expect.any(Array) });
      const fresh: string[] = response.body.recoveryCodes;
      expect(fresh).toHaveLength(10);
      expect(new Set(fresh).size).toBe(10);
      expect(fresh.filter((code) => old.includes(code))).toEqual([]);
      enrolled.recoveryCodes = fresh;

      const challengeToken = await challengeFor(gw.anon, user);
      expectError(
        await gw.anon.post('/auth/login/verify', { challengeToken, recoveryCode: old[0] }),
        401,
        'invalid_passcode',
      );
      const signIn = await gw.anon.post('/auth/login/verify', { challengeToken, recoveryCode: fresh[0] });
      expect(signIn.status).toBe(200);
      expect(signIn.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
    });

    it('refuses a new set for a wrong current password or a wrong passcode', async () => {
      const wrongPassword = await user.client.post('/auth/2fa/recovery-codes', {
        currentPassword: `${user.password}-typo`,
        passcode: currentPasscode(enrolled.authenticator.secret),
      });
      expectError(wrongPassword, 400, 'invalid_current_password');
      expect(wrongPassword.body.message).toMatch(/current password/i);

      const wrongCode = await user.client.post('/auth/2fa/recovery-codes', {
        currentPassword: user.password,
        passcode: wrongPasscode(enrolled.authenticator.secret),
      });
      expectError(wrongCode, 400, 'invalid_passcode');
      expect(wrongCode.body.message).toMatch(/30 seconds/);
    });
  });

  describe('turning Google Authenticator off', () => {
    it('refuses a body with both a passcode and a recovery code, and stays on', async () => {
      for (const recoveryCode of [0, enrolled.recoveryCodes[0]]) {
        const response = await user.client.post('/auth/2fa/disable', {
          currentPassword: user.password,
          passcode: '123456',
          recoveryCode,
        });
        expectError(response, 400, 'validation_failed');
        expect(response.body.message).toBe('Send either a passcode or a recoveryCode, not both.');
      }
      expect((await user.client.get('/auth/me')).body.twoFactor.enabled).toBe(true);
    });

    it('turns it off with password and passcode, and the next login asks for no passcode', async () => {
      const response = await user.client.post('/auth/2fa/disable', {
        currentPassword: user.password,
        passcode: await enrolled.authenticator.freshPasscode(),
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ enabled: false });
      expect((await user.client.get('/auth/me')).body.twoFactor).toEqual({
        availableForReseller: true,
        enabled: false,
        methods: [],
      });

      const signIn = await passwordLogin(gw.anon, user);
      expect(signIn.status).toBe(200);
      expect(signIn.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
    });

    it('lets the user set it up again afterwards', async () => {
      const again = await startSetup(user);
      expect(again.secret).not.toBe(enrolled.authenticator.secret);
    });

    it('turns it off with a recovery code when the phone is gone', async () => {
      const colleague = await enroll(await gw.factory.signedInUser({ resellerId: user.resellerId }));
      const response = await colleague.client.post('/auth/2fa/disable', {
        currentPassword: colleague.password,
        recoveryCode: colleague.recoveryCodes[3],
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ enabled: false });
      expect((await passwordLogin(gw.anon, colleague)).body.status).toBe('authenticated');
    });

    it('records turning it off in the audit log', async () => {
      const events = await auditOf(gw, user.username);
      expect(events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ event: expect.stringMatching(/disabl/), outcome: 'success' }),
        ]),
      );
    });
  });
});
