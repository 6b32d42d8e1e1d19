import type { TicketView } from '@pbx2fa/contracts';
import { expectError, type Gateway, type SignedInUser } from './support/api';
import {
  approveTicket,
  auditOf,
  challengeFor,
  enroll,
  openTicket,
  passwordLogin,
  resolvedTicket,
  startSetup,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { useStack } from './support/e2e';

/** Support tickets that change 2FA: for a whole reseller, and for one user who lost the phone. */
describe('tickets that change two-factor authentication', () => {
  let gw: Gateway;
  let admin: SignedInUser;
  let uma: EnrolledUser;
  let vic: EnrolledUser;

  useStack((started) => ({ gw } = started));

  beforeAll(async () => {
    const reseller = await gw.factory.reseller();
    admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    [uma, vic] = await Promise.all(
      [0, 1].map(async () => enroll(await gw.factory.signedInUser({ resellerId: reseller.id }))),
    );
  });

  describe('a disable_2fa ticket, then an enable_2fa ticket', () => {
    it('stops asking enrolled users for a passcode once the disable_2fa ticket is approved and resolved', async () => {
      expect((await passwordLogin(gw.anon, uma)).body.status).toBe('two_factor_required');

      const ticket = await switchResellerTwoFactor(gw, admin, false);
      expect(ticket).toMatchObject({ type: 'disable_2fa', status: 'resolved' });

      const response = await passwordLogin(gw.anon, uma);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      const me = await gw.anon.as(response.body.accessToken).get('/auth/me');
      expect(me.body.twoFactor.availableForReseller).toBe(false);
    });

    it('refuses a new setup while the reseller has 2FA off', async () => {
      const response = await uma.client.post('/auth/2fa/setup', {});
      expectError(response, 403, 'two_factor_not_enabled_for_reseller');
      expect(response.body.message).toMatch(/ticket/i);
    });

    it('asks again after an approved enable_2fa ticket, and the authenticator the user kept still works', async () => {
      const ticket = await switchResellerTwoFactor(gw, admin, true);
      expect(ticket).toMatchObject({ type: 'enable_2fa', status: 'resolved' });

      const challengeToken = await challengeFor(gw.anon, uma);
      const response = await gw.anon.post('/auth/login/verify', {
        challengeToken,
        passcode: await uma.authenticator.freshPasscode(),
      });
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('authenticated');
      const me = await gw.anon.as(response.body.accessToken).get('/auth/me');
      expect(me.body.twoFactor).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 10,
      });
    });
  });

  describe('a reset_user_2fa ticket for a user who lost the phone', () => {
    let ticket: TicketView;

    it('is opened by the reseller admin, approved by an agent, and resolved once the reset took effect', async () => {
      ticket = await openTicket(admin.client, {
        type: 'reset_user_2fa',
        targetUsername: vic.username,
        subject: 'Vic lost her phone',
      });
      expect(ticket).toMatchObject({
        type: 'reset_user_2fa',
        targetUsername: vic.username,
        status: 'open',
        openedBy: admin.username,
      });

      const approved = await approveTicket(gw, ticket.id);
      expect(approved.status).toBe('approved');

      const resolved = await resolvedTicket(gw, ticket.id);
      expect(resolved.history.map((entry) => entry.toStatus)).toEqual(['open', 'approved', 'resolved']);
      expect(resolved.resolution).toEqual(expect.any(String));
    });

    it("clears the user's 2FA: the profile shows it off and the login asks for no passcode", async () => {
      const response = await passwordLogin(gw.anon, vic);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      const me = await gw.anon.as(response.body.accessToken).get('/auth/me');
      expect(me.body.twoFactor).toEqual({ availableForReseller: true, enabled: false, methods: [] });
    });

    it('ends the sessions the user had, so whoever has the lost phone is signed out too', async () => {
      expectError(await vic.client.get('/auth/me'), 401, 'unauthorized');
    });

    it('lets the user set up a new phone', async () => {
      const token = await gw.login(vic.username, vic.password);
      const setup = await startSetup({ ...vic, token, client: gw.anon.as(token) });
      expect(setup.secret).not.toBe(vic.authenticator.secret);
    });

    it('leaves the other users of the reseller asked for their passcode', async () => {
      expect((await passwordLogin(gw.anon, uma)).body.status).toBe('two_factor_required');
    });

    it('records the reset, with the ticket, in the audit log', async () => {
      const resets = (await auditOf(gw, vic.username)).filter((item) => /reset/.test(item.event));
      expect(resets).toHaveLength(1);
      expect(resets[0]).toMatchObject({ outcome: 'success', username: vic.username });
      expect(JSON.stringify(resets[0])).toContain(ticket.id);
    });
  });
});
