import type { TicketView } from '@pbx2fa/contracts';
import {
  api,
  eventually,
  expectError,
  type ApiClient,
  type Gateway,
  type ResellerView,
  type SignedInUser,
} from './support/api';
import { type Stack } from './support/stack';
import {
  approveTicket,
  enroll,
  openTicket,
  passwordLogin,
  resolvedTicket,
  signInWithPasscode,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { Authenticator, awayFromStepEdge, passcodeForStep, stepAt } from './support/totp';
import { publishRaw, query, takeAll } from './support/wire';
import { useStack } from './support/e2e';

/**
 * A reseller's 2FA modes (off / optional / required with a grace period), changed by tickets, and
 * the Users view that shows who still has to enroll.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

interface Mode {
  twoFactorMode: string;
  enrollBy: string | null;
}

/** The gateway's own copy of the reseller's mode: what sign-ins go by. */
async function gatewayMode(stack: Stack, resellerId: string): Promise<Mode> {
  const [row] = await query<{ mode: string; enroll_by: Date | null }>(
    stack.databaseUrl,
    'SELECT two_factor_mode AS mode, enroll_by FROM auth.reseller_policies WHERE reseller_id = $1',
    [resellerId],
  );
  return { twoFactorMode: row?.mode, enrollBy: row?.enroll_by ? new Date(row.enroll_by).toISOString() : null };
}

/** The admin asks for a mode, an agent approves, and the test waits until sign-ins go by it. */
async function askForMode(
  gw: Gateway,
  stack: Stack,
  admin: SignedInUser,
  body: { type: 'enable_2fa' | 'require_2fa' | 'disable_2fa'; graceDays?: number },
): Promise<TicketView> {
  const ticket = await openTicket(admin.client, body);
  await approveTicket(gw, ticket.id);
  const resolved = await resolvedTicket(gw, ticket.id);
  const expected = { enable_2fa: 'optional', require_2fa: 'required', disable_2fa: 'off' }[body.type];
  await eventually(async () => expect((await gatewayMode(stack, admin.resellerId!)).twoFactorMode).toBe(expected));
  return resolved;
}

describe('2FA modes of a reseller', () => {
  let stack: Stack;
  let gw: Gateway;

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {});

  describe('required, with a grace period and then without', () => {
    let reseller: ResellerView;
    let admin: SignedInUser;
    let eve: EnrolledUser;
    let noah: SignedInUser;
    let mia: SignedInUser;

    beforeAll(async () => {
      reseller = await gw.factory.reseller();
      admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      await switchResellerTwoFactor(gw, admin, true);
      eve = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
      noah = await gw.factory.signedInUser({ resellerId: reseller.id });
      mia = await gw.factory.signedInUser({ resellerId: reseller.id });
    });

    it('shows the agent what approving require_2fa would change, before it is approved', async () => {
      const ticket = await openTicket(admin.client, { type: 'require_2fa', graceDays: 1 });
      expect(ticket).toMatchObject({ type: 'require_2fa', graceDays: 1, status: 'open' });
      const seen = (await gw.agent.get<TicketView>(`/tickets/${ticket.id}`)).body;
      expect(seen.effect).toEqual({
        currentMode: 'optional',
        requestedMode: 'required',
        enrollBy: expect.any(String),
        changes: true,
      });
      expect(Date.parse(seen.effect!.enrollBy!) - Date.now()).toBeGreaterThan(DAY_MS - 60_000);
      const closed = await admin.client.post(`/tickets/${ticket.id}/close`, {});
      expect(closed.status).toBe(200);
      expect(closed.body.effect).toBeNull();
    });

    it('lets a user without a factor sign in during the grace period and shows the days left', async () => {
      const ticket = await askForMode(gw, stack, admin, { type: 'require_2fa', graceDays: 1 });
      expect(ticket.resolution).toContain('required');
      const approvedAt = Date.parse(ticket.decidedAt!);

      const view = (await admin.client.get(`/resellers/${reseller.id}`)).body;
      expect(view).toMatchObject({
        id: reseller.id,
        twoFactorEnabled: true,
        twoFactorMode: 'required',
        rememberDeviceDays: 30,
      });
      // One day from the approval (the event carries the approval's time; the ticket's is its commit's).
      expect(Math.abs(Date.parse(view.enrollBy) - (approvedAt + DAY_MS))).toBeLessThan(5_000);

      const signIn = await passwordLogin(gw.anon, noah);
      expect(signIn.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      const me = await gw.anon.as(signIn.body.accessToken).get('/auth/me');
      expect(me.body.twoFactor).toEqual({
        availableForReseller: true,
        enabled: false,
        methods: [],
        enrollBy: view.enrollBy,
        enrollmentDaysLeft: 1,
      });
    });

    it('keeps asking a user who has a factor for it, and shows them no deadline', async () => {
      expect((await passwordLogin(gw.anon, eve)).body).toMatchObject({
        status: 'two_factor_required',
        methods: expect.arrayContaining(['totp']),
      });
      expect((await eve.client.get('/auth/me')).body.twoFactor).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 10,
      });
    });

    it('with graceDays 0, sends a user without a factor to enroll, and reaches nothing else until enrolled', async () => {
      await askForMode(gw, stack, admin, { type: 'require_2fa', graceDays: 0 });

      const signIn = await passwordLogin(gw.anon, noah);
      expect(signIn.body).toEqual({
        status: 'enrollment_required',
        enrollmentToken: expect.any(String),
        expiresIn: expect.any(Number),
        reason: 'reseller_policy',
      });
      const enrolling = gw.anon.as(signIn.body.enrollmentToken);
      for (const attempt of [
        () => enrolling.get('/auth/me'),
        () => enrolling.get('/tickets'),
        () => enrolling.post('/tickets', { type: 'general' }),
        () => enrolling.get(`/resellers/${reseller.id}`),
        () => enrolling.get(`/resellers/${reseller.id}/users`),
        () => enrolling.post('/auth/2fa/recovery-codes', { currentPassword: noah.password, passcode: '123456' }),
      ]) {
        expectError(await attempt(), 403, 'enrollment_required');
      }

      const setup = await enrolling.post('/auth/2fa/setup', {});
      expect(setup.status).toBe(201);
      await awayFromStepEdge();
      const step = stepAt() - 1;
      const activated = await enrolling.post('/auth/2fa/activate', {
        passcode: passcodeForStep(setup.body.secret, step),
        currentPassword: noah.password,
      });
      expect(activated.status).toBe(200);
      expect(activated.body).toMatchObject({ enabled: true, accessToken: expect.any(String) });
      expectError(await enrolling.get('/auth/me'), 401);
      const me = await gw.anon.as(activated.body.accessToken).get('/auth/me');
      expect(me.body.twoFactor).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 10,
      });

      // From now on Noah signs in like everyone with a factor: password, then passcode.
      const enrolled: EnrolledUser = {
        ...noah,
        authenticator: new Authenticator(setup.body.secret, step),
        recoveryCodes: activated.body.recoveryCodes,
      };
      await expect(signInWithPasscode(gw.anon, enrolled)).resolves.toEqual(expect.any(String));
    });

    it('asks a user who has a factor for it after the deadline too', async () => {
      expect((await passwordLogin(gw.anon, eve)).body.status).toBe('two_factor_required');
    });

    it('lets the Users view name who still has to enroll', async () => {
      const missing = await admin.client.get(`/resellers/${reseller.id}/users`, { query: { twoFactor: 'missing' } });
      expect(missing.status).toBe(200);
      expect(missing.body.items.map((item: { username: string }) => item.username).sort()).toEqual(
        [admin.username, mia.username].sort(),
      );
    });

    it('turns it all off with disable_2fa: nobody is sent to enroll or asked for a passcode', async () => {
      const ticket = await askForMode(gw, stack, admin, { type: 'disable_2fa' });
      expect(ticket.resolution).toContain('off');
      expect((await admin.client.get(`/resellers/${reseller.id}`)).body).toMatchObject({
        twoFactorEnabled: false,
        twoFactorMode: 'off',
        enrollBy: null,
      });
      for (const user of [mia, eve]) {
        const signIn = await passwordLogin(gw.anon, user);
        expect({ user: user.username, status: signIn.body.status }).toEqual({
          user: user.username,
          status: 'authenticated',
        });
      }
    });
  });

  describe('approvals of one reseller that arrive late or at once', () => {
    it('ends in the mode of the last approval when the older ones arrive after it', async () => {
      const reseller = await gw.factory.reseller();
      const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      const asks = [
        { type: 'enable_2fa' },
        { type: 'require_2fa', graceDays: 30 },
        { type: 'disable_2fa' },
        { type: 'require_2fa', graceDays: 0 },
      ];
      const tickets: TicketView[] = [];
      for (const ask of asks) tickets.push(await openTicket(admin.client, ask));
      const [before] = await query(stack.databaseUrl, 'SELECT version FROM reseller_settings.resellers WHERE id = $1', [
        reseller.id,
      ]);

      // The approvals wait in reseller-settings' queue; then they are put back newest first.
      await stack.stopService('reseller-settings');
      try {
        for (const ticket of tickets) await approveTicket(gw, ticket.id);
        const queued = await eventually(async () => {
          const messages = await takeAll(stack.rabbitmqUrl, 'reseller-settings.events');
          expect(messages).toHaveLength(asks.length);
          return messages;
        });
        // As their publisher, tickets: reseller-settings refuses approvals from any other broker user.
        await publishRaw(stack.brokerUrlAs('tickets'), [...queued].reverse(), { userId: stack.brokerUsers.tickets });
      } finally {
        await stack.start('reseller-settings');
      }

      for (const ticket of tickets) await resolvedTicket(gw, ticket.id);
      const [after] = await query(
        stack.databaseUrl,
        'SELECT two_factor_mode, two_factor_enabled, version FROM reseller_settings.resellers WHERE id = $1',
        [reseller.id],
      );
      expect(after).toEqual({
        two_factor_mode: 'required',
        two_factor_enabled: true,
        version: (before.version as number) + 1,
      });
      await eventually(async () => expect((await gatewayMode(stack, reseller.id)).twoFactorMode).toBe('required'));
      const user = await gw.factory.user({ resellerId: reseller.id });
      expect((await passwordLogin(gw.anon, user)).body).toMatchObject({
        status: 'enrollment_required',
        reason: 'reseller_policy',
      });
    });

    it('ends in the mode of the approval that committed last when agents approve at once', async () => {
      const reseller = await gw.factory.reseller();
      const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      const tickets = await Promise.all(
        [
          { type: 'require_2fa', graceDays: 3 },
          { type: 'enable_2fa' },
          { type: 'disable_2fa' },
          { type: 'require_2fa', graceDays: 0 },
          { type: 'enable_2fa' },
        ].map((ask) => openTicket(admin.client, ask)),
      );
      await Promise.all(tickets.map((ticket) => approveTicket(gw, ticket.id)));
      for (const ticket of tickets) await resolvedTicket(gw, ticket.id);

      // The order the approvals committed in is the order the tickets service numbered them.
      const approvals = await query<{ envelope: { payload: { ticketId: string; sequence: number } } }>(
        stack.databaseUrl,
        `SELECT envelope FROM tickets.outbox WHERE event_name = 'ticket.two_factor.approved'
          AND envelope->'payload'->>'resellerId' = $1`,
        [reseller.id],
      );
      const last = approvals.reduce((a, b) => (a.envelope.payload.sequence > b.envelope.payload.sequence ? a : b));
      const lastTicket = tickets.find((ticket) => ticket.id === last.envelope.payload.ticketId)!;
      const expected = { enable_2fa: 'optional', require_2fa: 'required', disable_2fa: 'off' }[
        lastTicket.type as 'enable_2fa'
      ];
      expect((await gw.agent.get(`/resellers/${reseller.id}`)).body.twoFactorMode).toBe(expected);
      await eventually(async () => expect((await gatewayMode(stack, reseller.id)).twoFactorMode).toBe(expected));
      console.log(
        `approvals at once: ${tickets.map((t) => t.type).join(', ')}; the last committed was ${lastTicket.type}, and the reseller is ${expected}`,
      );
    });
  });

  describe('asking for a mode with bad input', () => {
    let reseller: ResellerView;
    let admin: SignedInUser;
    let user: SignedInUser;

    beforeAll(async () => {
      reseller = await gw.factory.reseller();
      admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      user = await gw.factory.signedInUser({ resellerId: reseller.id });
    });

    const ticketCount = async () =>
      (await gw.agent.get('/tickets', { query: { resellerId: reseller.id, limit: 100 } })).body.items.length;

    it.each([
      ['91 grace days', { type: 'require_2fa', graceDays: 91 }],
      ['-1 grace days', { type: 'require_2fa', graceDays: -1 }],
      ['grace days as text', { type: 'require_2fa', graceDays: '7' }],
      ['a fraction of a day', { type: 'require_2fa', graceDays: 0.5 }],
      ['no grace days', { type: 'require_2fa' }],
      ['grace days on enable_2fa', { type: 'enable_2fa', graceDays: 7 }],
      ['grace days on disable_2fa', { type: 'disable_2fa', graceDays: 7 }],
    ])('refuses %s with 400 and opens nothing', async (_, body) => {
      const before = await ticketCount();
      expectError(await admin.client.post('/tickets', body), 400, 'validation_failed');
      expectError(await gw.agent.post('/tickets', { ...body, resellerId: reseller.id }), 400, 'validation_failed');
      expect(await ticketCount()).toBe(before);
    });

    it('lets only reseller admins and agents ask to require 2FA, as for turning it off', async () => {
      const before = await ticketCount();
      expectError(await user.client.post('/tickets', { type: 'require_2fa', graceDays: 7 }), 403, 'forbidden');
      expectError(await user.client.post('/tickets', { type: 'disable_2fa' }), 403, 'forbidden');
      expect(await ticketCount()).toBe(before);
      expect(
        (await gw.agent.post('/tickets', { type: 'require_2fa', graceDays: 7, resellerId: reseller.id })).status,
      ).toBe(201);
    });
  });

  describe('the Users view', () => {
    let reseller: ResellerView;
    let other: ResellerView;
    let admin: SignedInUser;
    let otherAdmin: SignedInUser;
    let user: SignedInUser;
    let enrolled: string[];
    let missing: string[];
    let neverSignedIn: string;

    const users = (client: ApiClient, resellerId: string, params: Record<string, string | number> = {}) =>
      client.get(`/resellers/${resellerId}/users`, { query: params });

    /** Every page from the one `params` asks for, following nextCursor. */
    async function allPages(client: ApiClient, resellerId: string, params: Record<string, string | number>) {
      const items: { username: string }[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await users(client, resellerId, { ...params, ...(cursor ? { cursor } : {}) });
        expect(page.status).toBe(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 50);
      return { items, pages };
    }

    beforeAll(async () => {
      reseller = await gw.factory.reseller();
      other = await gw.factory.reseller();
      admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
      otherAdmin = await gw.factory.signedInUser({ resellerId: other.id, role: 'reseller_admin' });
      await switchResellerTwoFactor(gw, admin, true);
      user = await gw.factory.signedInUser({ resellerId: reseller.id });
      enrolled = [];
      for (let i = 0; i < 2; i++)
        enrolled.push((await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }))).username);
      neverSignedIn = (await gw.factory.user({ resellerId: reseller.id })).username;
      missing = [admin.username, user.username, neverSignedIn];
      await gw.factory.signedInUser({ resellerId: other.id });
    });

    it("shows a reseller admin their reseller's users: role, methods, last sign-in", async () => {
      const response = await users(admin.client, reseller.id);
      expect(response.status).toBe(200);
      expect(response.body.nextCursor).toBeNull();
      const items = response.body.items as {
        username: string;
        role: string;
        twoFactor: { enabled: boolean; methods: string[] };
        lastLoginAt: string | null;
      }[];
      expect(items.map((item) => item.username)).toEqual([...enrolled, ...missing].sort());
      const byName = new Map(items.map((item) => [item.username, item]));
      for (const name of enrolled) {
        expect(byName.get(name)).toEqual({
          username: name,
          role: 'reseller_user',
          twoFactor: { enabled: true, methods: ['totp'] },
          lastLoginAt: expect.any(String),
        });
      }
      expect(byName.get(admin.username)).toMatchObject({
        role: 'reseller_admin',
        twoFactor: { enabled: false, methods: [] },
      });
      expect(byName.get(neverSignedIn)?.lastLoginAt).toBeNull();
      expect(Date.now() - Date.parse(byName.get(user.username)!.lastLoginAt!)).toBeLessThan(10 * 60_000);
    });

    it('updates the last sign-in when the user signs in again', async () => {
      const before = (await users(admin.client, reseller.id)).body.items.find(
        (item: { username: string }) => item.username === user.username,
      ).lastLoginAt;
      await new Promise((done) => setTimeout(done, 20));
      expect((await passwordLogin(gw.anon, user)).body.status).toBe('authenticated');
      const after = (await users(admin.client, reseller.id)).body.items.find(
        (item: { username: string }) => item.username === user.username,
      ).lastLoginAt;
      expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    });

    it('filters who still has to enroll, and who has', async () => {
      const names = async (twoFactor: string) =>
        (await users(gw.agent, reseller.id, { twoFactor })).body.items.map(
          (item: { username: string }) => item.username,
        );
      expect(await names('missing')).toEqual([...missing].sort());
      expect(await names('enabled')).toEqual([...enrolled].sort());
    });

    it('pages stably: every user once, in order, also when a user is added between pages', async () => {
      const whole = (await users(admin.client, reseller.id)).body.items.map(
        (item: { username: string }) => item.username,
      );
      const first = await users(admin.client, reseller.id, { limit: 2 });
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      // Someone joins whose name sorts before the first page's end: the later pages neither repeat nor skip anyone.
      const newcomer = await gw.factory.user({ resellerId: reseller.id, username: `${whole[0]}-a` });
      const rest = await allPages(admin.client, reseller.id, { limit: 2, cursor: first.body.nextCursor });
      const seen = [...first.body.items, ...rest.items].map((item: { username: string }) => item.username);
      expect(seen).toEqual(whole);
      expect(seen).not.toContain(newcomer.username);
      const again = await allPages(admin.client, reseller.id, { limit: 2 });
      expect(again.items.map((item) => item.username)).toEqual([...whole, newcomer.username].sort());
      expect(again.pages).toBe(Math.ceil((whole.length + 1) / 2));
    });

    it('shows agents any reseller, an admin only their own; reseller users none', async () => {
      expect((await users(gw.agent, other.id)).status).toBe(200);
      expect((await users(otherAdmin.client, other.id)).status).toBe(200);
      expectError(await users(otherAdmin.client, reseller.id), 403, 'forbidden');
      expectError(await users(admin.client, other.id), 403, 'forbidden');
      expectError(await users(user.client, reseller.id), 403, 'forbidden');
      expectError(await users(gw.anon, reseller.id), 401);
    });

    it('answers 404 for a reseller that does not exist (to agents; admins get 403 for any other reseller)', async () => {
      expectError(await users(gw.agent, 'no-such-reseller'), 404, 'reseller_not_found');
      expectError(await users(admin.client, 'no-such-reseller'), 403, 'forbidden');
    });

    it.each([
      ['an unknown filter', { twoFactor: 'maybe' }, 'validation_failed'],
      ['a limit of 0', { limit: 0 }, 'validation_failed'],
      ['a limit of 101', { limit: 101 }, 'validation_failed'],
      ['a made-up cursor', { cursor: 'not a cursor!' }, 'invalid_cursor'],
      ['an unknown field', { sort: 'newest' }, 'validation_failed'],
    ])('refuses %s with 400', async (_, params, error) => {
      expectError(await users(admin.client, reseller.id, params), 400, error);
    });

    it('refuses a malformed reseller id with 400', async () => {
      expectError(await api(stack.authUrl).as(admin.token).get('/resellers/NOT%20VALID/users'), 400, 'invalid_id');
    });
  });
});
