import type { TicketView } from '@pbx2fa/contracts';
import {
  eventually,
  expectError,
  rememberedFactor,
  type ApiClient,
  type Gateway,
  type ResellerView,
  type SignedInUser,
} from './support/api';
import { type Stack } from './support/stack';
import { useStack } from './support/e2e';

/**
 * The core story, over HTTP against the three real services: a reseller user asks for 2FA, an
 * agent approves, the change travels tickets → reseller-settings → auth, and the ticket resolves.
 * The steps run in order and share what they created, as the people in the story would.
 */
describe('a 2FA ticket, approved, reaches the auth service', () => {
  let stack: Stack;
  let gw: Gateway;

  let resellerA: ResellerView;
  let userA: SignedInUser;
  let enableTicket: TicketView;
  let approvedAt: number;

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {});

  const me = (user: SignedInUser) => user.client.get('/auth/me');
  const reseller = (id: string) => gw.agent.get<ResellerView>(`/resellers/${id}`);
  const ticket = (client: ApiClient, id: string) => client.get<TicketView>(`/tickets/${id}`);

  it('signs the bootstrap agent in with its password and a passcode: agents always have a second factor', async () => {
    // connect() set Google Authenticator up at the agent's first sign-in (enrollment_required).
    const phone = rememberedFactor(stack.authUrl, stack.agent.username)!;
    const response = await gw.anon.post('/auth/login', {
      username: stack.agent.username,
      password: stack.agent.password,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'two_factor_required',
      challengeToken: expect.any(String),
      expiresIn: expect.any(Number),
      methods: ['totp', 'recovery_code'],
      rememberDeviceDays: 0, // agents are never remembered
    });
    const verified = await gw.anon.post('/auth/login/verify', {
      challengeToken: response.body.challengeToken,
      passcode: await phone.authenticator.freshPasscode(),
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      status: 'authenticated',
      accessToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
    expect(verified.body.expiresIn).toBeGreaterThan(0);
  });

  it('lets the agent create a reseller, without 2FA', async () => {
    const response = await gw.agent.post('/resellers', { id: 'acme-telecom', name: 'Acme Telecom' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: 'acme-telecom',
      name: 'Acme Telecom',
      twoFactorEnabled: false,
      twoFactorMode: 'off',
      version: expect.any(Number),
    });
    resellerA = response.body;
  });

  it('lets the agent create a user of that reseller, and never shows the password back', async () => {
    const password = 'Acme-user-Passw0rd!';
    const response = await gw.agent.post('/users', {
      username: 'alice.acme',
      password,
      resellerId: resellerA.id,
      role: 'reseller_user',
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      username: 'alice.acme',
      resellerId: resellerA.id,
      role: 'reseller_user',
      email: null,
    });
    expect(JSON.stringify(response.body)).not.toContain(password);

    const signIn = await gw.anon.post('/auth/login', { username: 'alice.acme', password });
    expect(signIn.status).toBe(200);
    expect(signIn.body).toEqual({
      status: 'authenticated',
      accessToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
    userA = { ...response.body, password, token: signIn.body.accessToken, client: gw.anon.as(signIn.body.accessToken) };
  });

  it('shows the user that 2FA is not yet available for the reseller', async () => {
    const response = await me(userA);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: userA.id,
      username: 'alice.acme',
      resellerId: resellerA.id,
      role: 'reseller_user',
      email: null,
      twoFactor: { availableForReseller: false, enabled: false, methods: [] },
    });
  });

  it('lets the user open an enable_2fa ticket for the own reseller', async () => {
    const response = await userA.client.post<TicketView>('/tickets', {
      type: 'enable_2fa',
      subject: 'Please enable two-factor authentication',
      description: 'We want Google Authenticator on our dashboard logins.',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.any(String),
      resellerId: resellerA.id,
      type: 'enable_2fa',
      status: 'open',
      openedBy: userA.username,
      subject: 'Please enable two-factor authentication',
      decidedBy: null,
      decidedAt: null,
    });
    enableTicket = response.body;
  });

  it("puts the ticket in the agent's queue of open tickets", async () => {
    const response = await gw.agent.get<{ items: TicketView[]; nextCursor: string | null }>('/tickets', {
      query: { status: 'open' },
    });
    expect(response.status).toBe(200);
    expect(response.body.items.map((item) => item.id)).toContain(enableTicket.id);
    expect(response.body.items.every((item) => item.status === 'open')).toBe(true);
    expect(response.body).toHaveProperty('nextCursor');
  });

  it("pages through a reseller's tickets, newest first, each exactly once", async () => {
    const pager = await gw.factory.signedInUser();
    const opened: string[] = [];
    for (let i = 0; i < 5; i++)
      opened.unshift(
        (await pager.client.post<TicketView>('/tickets', { type: 'general', subject: `Page ${i}` })).body.id,
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await pager.client.get<{ items: TicketView[]; nextCursor: string | null }>('/tickets', {
        query: { limit: 2, cursor },
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(opened);
    const ofAnotherType = await pager.client.get<{ items: TicketView[] }>('/tickets', {
      query: { type: 'enable_2fa' },
    });
    expect(ofAnotherType.body.items).toEqual([]);
  });

  it('lets the agent approve the ticket', async () => {
    const response = await gw.agent.post<TicketView>(`/tickets/${enableTicket.id}/approve`, {
      note: 'Approved per the 2FA policy.',
    });
    approvedAt = Date.now();
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: enableTicket.id,
      status: 'approved',
      decidedBy: stack.agent.username,
      decidedAt: expect.any(String),
    });
  });

  it("makes 2FA available to the reseller's users soon after the approval", async () => {
    const response = await eventually(
      async () => {
        const current = await me(userA);
        expect(current.body?.twoFactor?.availableForReseller).toBe(true);
        return current;
      },
      { intervalMs: 25 },
    );
    console.log(`approve → /auth/me availableForReseller=true took ${Date.now() - approvedAt} ms`);
    expect(response.body.twoFactor).toEqual({ availableForReseller: true, enabled: false, methods: [] });
  });

  it('turns 2FA on for the reseller, one version later', async () => {
    const response = await eventually(async () => {
      const current = await reseller(resellerA.id);
      expect(current.body).toMatchObject({ twoFactorEnabled: true });
      return current;
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: resellerA.id,
      name: 'Acme Telecom',
      twoFactorEnabled: true,
      twoFactorMode: 'optional',
      enrollBy: null,
      rememberDeviceDays: 30,
      version: resellerA.version + 1,
      updatedAt: expect.any(String),
    });
  });

  it('resolves the ticket once the reseller has 2FA', async () => {
    const response = await eventually(async () => {
      const current = await ticket(userA.client, enableTicket.id);
      expect(current.body.status).toBe('resolved');
      return current;
    });
    expect(response.body.history.map((entry) => entry.toStatus)).toEqual(['open', 'approved', 'resolved']);
    expect(response.body.history[1].actor).toBe(stack.agent.username);
    expect(response.body).toMatchObject({ decidedBy: stack.agent.username, comments: [] });
  });

  describe('another reseller', () => {
    let resellerB: ResellerView;
    let userB: SignedInUser;
    let ticketB: TicketView;

    beforeAll(async () => {
      resellerB = await gw.factory.reseller({ name: 'Bravo Voice' });
      userB = await gw.factory.signedInUser({ resellerId: resellerB.id });
      const opened = await userB.client.post<TicketView>('/tickets', { type: 'general', subject: 'Our own question' });
      if (opened.status !== 201) throw new Error(`B's ticket: ${opened.status} ${JSON.stringify(opened.body)}`);
      ticketB = opened.body;
    });

    it("lists only its own tickets, none of the first reseller's", async () => {
      const response = await userB.client.get<{ items: TicketView[] }>('/tickets');
      expect(response.status).toBe(200);
      expect(response.body.items.map((item) => item.id)).toEqual([ticketB.id]);
      expect(response.body.items.every((item) => item.resellerId === resellerB.id)).toBe(true);
    });

    it("cannot read the first reseller's ticket, which answers as if it did not exist", async () => {
      const response = await userB.client.get(`/tickets/${enableTicket.id}`);
      expectError(response, 404);
      const missing = await userB.client.get('/tickets/00000000-0000-4000-8000-000000000000');
      expectError(missing, 404, response.body.error);
    });

    it('keeps 2FA unavailable for its users', async () => {
      const response = await me(userB);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        resellerId: resellerB.id,
        twoFactor: { availableForReseller: false, enabled: false },
      });
      expect((await reseller(resellerB.id)).body).toMatchObject({
        twoFactorEnabled: false,
        version: resellerB.version,
      });
    });
  });

  describe('turning 2FA off again', () => {
    let disableTicket: TicketView;
    let versionWithTwoFactor: number;

    beforeAll(async () => {
      versionWithTwoFactor = (await reseller(resellerA.id)).body.version;
    });

    it('lets a reseller admin (not any user) open a disable_2fa ticket, and the agent approve it', async () => {
      const byUser = await userA.client.post<TicketView>('/tickets', {
        type: 'disable_2fa',
        subject: 'Turn 2FA off, please',
      });
      expect(byUser.status).toBe(403);
      const admin = await gw.factory.signedInUser({ resellerId: resellerA.id, role: 'reseller_admin' });
      const opened = await admin.client.post<TicketView>('/tickets', {
        type: 'disable_2fa',
        subject: 'Turn 2FA off, please',
      });
      expect(opened.status).toBe(201);
      expect(opened.body).toMatchObject({
        resellerId: resellerA.id,
        type: 'disable_2fa',
        status: 'open',
        openedBy: admin.username,
      });
      disableTicket = opened.body;

      const approved = await gw.agent.post<TicketView>(`/tickets/${disableTicket.id}/approve`, {});
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('approved');
    });

    it("makes 2FA unavailable to the reseller's users again", async () => {
      await eventually(async () => {
        const current = await me(userA);
        expect(current.body?.twoFactor).toEqual({ availableForReseller: false, enabled: false, methods: [] });
      });
    });

    it('turns 2FA off for the reseller, one version later', async () => {
      await eventually(async () => {
        const current = await reseller(resellerA.id);
        expect(current.body).toMatchObject({ twoFactorEnabled: false, version: versionWithTwoFactor + 1 });
      });
    });

    it('resolves the disable ticket and leaves the first one resolved', async () => {
      const response = await eventually(async () => {
        const current = await ticket(gw.agent, disableTicket.id);
        expect(current.body.status).toBe('resolved');
        return current;
      });
      expect(response.body.history.map((entry) => entry.toStatus)).toEqual(['open', 'approved', 'resolved']);
      expect((await ticket(gw.agent, enableTicket.id)).body.status).toBe('resolved');
    });
  });
});
