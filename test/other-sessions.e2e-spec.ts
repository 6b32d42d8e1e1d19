import { expectError, type ApiClient, type Gateway, type SignedInUser } from './support/api';
import { wrongPasscode } from './support/totp';
import {
  approveTicket,
  auditOf,
  enroll,
  openTicket,
  resolvedTicket,
  signInWithPasscode,
  startSetup,
  switchResellerTwoFactor,
} from './support/two-factor';
import { useStack } from './support/e2e';

/**
 * The contract's "Other sessions": activating, disabling or resetting 2FA ends every other
 * session of that user. A user is signed in on a laptop and a phone; the change is made on the
 * laptop (or by a ticket), and the phone has to sign in again.
 */
describe('other sessions when the second factor changes', () => {
  let gw: Gateway;
  let admin: SignedInUser;

  useStack((started) => ({ gw } = started));

  beforeAll(async () => {
    admin = await gw.factory.signedInUser({ role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
  });

  /** A user of the 2FA reseller signed in with a password on the laptop (`client`) and on a phone. */
  async function onTwoDevices(): Promise<SignedInUser & { phone: ApiClient }> {
    const laptop = await gw.factory.signedInUser({ resellerId: admin.resellerId });
    return { ...laptop, phone: gw.anon.as(await gw.login(laptop.username, laptop.password)) };
  }

  async function expectSignedIn(client: ApiClient): Promise<void> {
    expect((await client.get('/auth/me')).status).toBe(200);
  }

  async function expectSignedOut(client: ApiClient): Promise<void> {
    expectError(await client.get('/auth/me'), 401, 'unauthorized');
  }

  async function auditDetail(username: string, event: string): Promise<Record<string, unknown>> {
    const entry = (await auditOf(gw, username)).find((item) => item.event === event);
    expect(entry).toBeDefined();
    return entry!.detail;
  }

  it('activating Google Authenticator on the laptop signs the phone out, and the laptop stays in', async () => {
    const user = await onTwoDevices();
    await expectSignedIn(user.phone);

    await enroll(user);

    await expectSignedOut(user.phone);
    await expectSignedIn(user.client);
    expect((await user.client.get('/auth/me')).body.twoFactor.enabled).toBe(true);
    expect(await auditDetail(user.username, 'two_factor.activated')).toMatchObject({ otherSessionsEnded: 1 });
  });

  it('a failed activation ends no session', async () => {
    const user = await onTwoDevices();
    const { secret } = await startSetup(user);
    const response = await user.client.post('/auth/2fa/activate', {
      passcode: wrongPasscode(secret),
      currentPassword: user.password,
    });
    expectError(response, 400, 'invalid_passcode');
    await expectSignedIn(user.phone);
    await expectSignedIn(user.client);
  });

  it('disabling it on the laptop signs the phone out, and the laptop stays in', async () => {
    const user = await enroll(await gw.factory.signedInUser({ resellerId: admin.resellerId }));
    const phone = gw.anon.as(await signInWithPasscode(gw.anon, user));
    const tablet = gw.anon.as(await signInWithPasscode(gw.anon, user));
    await expectSignedIn(phone);

    const response = await user.client.post('/auth/2fa/disable', {
      currentPassword: user.password,
      recoveryCode: user.recoveryCodes[0],
    });
    expect(response.status).toBe(200);

    await expectSignedOut(phone);
    await expectSignedOut(tablet);
    await expectSignedIn(user.client);
    expect(await auditDetail(user.username, 'two_factor.disabled')).toMatchObject({ otherSessionsEnded: 2 });
  });

  it('a refused disable ends no session', async () => {
    const user = await enroll(await gw.factory.signedInUser({ resellerId: admin.resellerId }));
    const phone = gw.anon.as(await signInWithPasscode(gw.anon, user));
    const response = await user.client.post('/auth/2fa/disable', {
      currentPassword: user.password,
      recoveryCode: 'AAAA-BBBB-CCCC',
    });
    expectError(response, 400, 'invalid_passcode');
    await expectSignedIn(phone);
    await expectSignedIn(user.client);
  });

  it("ends only that user's sessions", async () => {
    const user = await onTwoDevices();
    const colleague = await onTwoDevices();
    await enroll(user);
    await expectSignedIn(colleague.client);
    await expectSignedIn(colleague.phone);
    await expectSignedIn(admin.client);
  });

  it('a reset ticket approved by an agent ends every session of the user, and a fresh sign-in works', async () => {
    const user = await enroll(await gw.factory.signedInUser({ resellerId: admin.resellerId }));
    const phone = gw.anon.as(await signInWithPasscode(gw.anon, user));
    await expectSignedIn(user.client);
    await expectSignedIn(phone);

    const ticket = await openTicket(admin.client, {
      type: 'reset_user_2fa',
      targetUsername: user.username,
      subject: 'Lost the phone',
    });
    await approveTicket(gw, ticket.id);
    await resolvedTicket(gw, ticket.id);

    await expectSignedOut(user.client);
    await expectSignedOut(phone);
    await expectSignedIn(admin.client);
    expect(await auditDetail(user.username, 'two_factor.reset')).toMatchObject({ sessionsEnded: 2 });
    // The reset removed the authenticator, so the password alone signs in again.
    await expectSignedIn(gw.anon.as(await gw.login(user.username, user.password)));
  });
});
