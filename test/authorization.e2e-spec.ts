import { createHmac, randomBytes } from 'node:crypto';
import type { TicketView } from '@pbx2fa/contracts';
import { expectError, strongPassword, unique, type Gateway, type ResellerView, type SignedInUser } from './support/api';
import { type Stack } from './support/stack';
import { useStack } from './support/e2e';

/** Every rule of who may do what, each tried from the wrong side. */
describe('authorization', () => {
  let stack: Stack;
  let gw: Gateway;
  let resellerA: ResellerView;
  let resellerB: ResellerView;
  let userA: SignedInUser;
  let adminA: SignedInUser;
  let userB: SignedInUser;
  let ticketA: TicketView;
  let ticketB: TicketView;

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {
    [resellerA, resellerB] = await Promise.all([gw.factory.reseller(), gw.factory.reseller()]);
    [userA, adminA, userB] = await Promise.all([
      gw.factory.signedInUser({ resellerId: resellerA.id }),
      gw.factory.signedInUser({ resellerId: resellerA.id, role: 'reseller_admin' }),
      gw.factory.signedInUser({ resellerId: resellerB.id }),
    ]);
    ticketA = await openTicket(userA, { type: 'general', subject: 'Question from A' });
    ticketB = await openTicket(userB, { type: 'general', subject: 'Question from B' });
  });

  async function openTicket(user: SignedInUser, body: object): Promise<TicketView> {
    const response = await user.client.post<TicketView>('/tickets', body);
    if (response.status !== 201)
      throw new Error(`POST /tickets answered ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async function ticketAsAgent(id: string): Promise<TicketView> {
    return (await gw.agent.get<TicketView>(`/tickets/${id}`)).body;
  }

  async function ticketIdsOf(resellerId: string): Promise<string[]> {
    const response = await gw.agent.get<{ items: TicketView[] }>('/tickets', { query: { resellerId } });
    expect(response.status).toBe(200);
    return response.body.items.map((item) => item.id);
  }

  describe('without a valid token', () => {
    const someTicket = '00000000-0000-4000-8000-000000000000';
    const calls: { method: string; path: string; body?: object }[] = [
      { method: 'GET', path: '/auth/me' },
      { method: 'GET', path: '/tickets' },
      { method: 'POST', path: '/tickets', body: { type: 'general', subject: 'anonymous' } },
      { method: 'GET', path: `/tickets/${someTicket}` },
      { method: 'POST', path: `/tickets/${someTicket}/comments`, body: { body: 'anonymous' } },
      { method: 'POST', path: `/tickets/${someTicket}/approve`, body: {} },
      { method: 'POST', path: '/resellers', body: { id: 'anonymous-reseller', name: 'Anonymous' } },
      { method: 'GET', path: '/resellers/anonymous-reseller' },
      {
        method: 'POST',
        path: '/users',
        body: {
          username: 'anonymous.user',
          password: strongPassword(),
          resellerId: 'anonymous-reseller',
          role: 'agent',
        },
      },
      { method: 'POST', path: '/auth/logout' },
    ];

    // Rows are objects: a row shorter than the test function's parameters would make Jest pass `done`.
    it.each(calls)('refuses an anonymous $method $path with 401', async ({ method, path, body }) => {
      expectError(await gw.anon.request(method, path, body), 401, 'unauthorized');
    });

    it('created nothing for the anonymous calls', async () => {
      expectError(await gw.agent.get('/resellers/anonymous-reseller'), 404);
      expectError(
        await gw.anon.post('/auth/login', { username: 'anonymous.user', password: 'whatever-it-was' }),
        401,
        'invalid_credentials',
      );
    });

    function segments(token: string): [string, string, string] {
      const parts = token.split('.');
      if (parts.length !== 3)
        throw new Error(`access tokens are expected to be JWTs (JWT_SECRET signs them), got ${token}`);
      return parts as [string, string, string];
    }
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

    function forgedTokens(): Record<string, string> {
      const [header, payload, signature] = segments(userA.token);
      const claims = decode(payload);
      const elevated = encode({ ...claims, role: 'agent', resellerId: null });
      const middle = Math.floor(signature.length / 2);
      const flipped =
        signature.slice(0, middle) + (signature[middle] === 'A' ? 'B' : 'A') + signature.slice(middle + 1);
      const wrongKey = createHmac('sha256', randomBytes(32)).update(`${header}.${elevated}`).digest('base64url');
      return {
        garbage: 'garbage',
        'random bytes': randomBytes(48).toString('base64url'),
        'a flipped signature': `${header}.${payload}.${flipped}`,
        'claims raised to agent, old signature': `${header}.${elevated}.${signature}`,
        'alg none': `${encode({ alg: 'none', typ: 'JWT' })}.${elevated}.`,
        'signed with another key': `${header}.${elevated}.${wrongKey}`,
        'no signature': `${header}.${payload}`,
      };
    }

    it('refuses garbage, tampered and forged bearer tokens with 401', async () => {
      for (const [kind, token] of Object.entries(forgedTokens())) {
        const me = await gw.anon.as(token).get('/auth/me');
        expect({ kind, status: me.status }).toEqual({ kind, status: 401 });
        expectError(me, 401, 'unauthorized');
        const tickets = await gw.anon.as(token).get('/tickets', { query: { resellerId: resellerB.id } });
        expect({ kind, status: tickets.status }).toEqual({ kind, status: 401 });
      }
    });

    it('accepts the token only as a Bearer credential', async () => {
      expectError(
        await gw.anon.get('/auth/me', { headers: { authorization: `Basic ${userA.token}` } }),
        401,
        'unauthorized',
      );
      expectError(await gw.anon.get('/auth/me', { headers: { authorization: userA.token } }), 401, 'unauthorized');
      expectError(await gw.anon.get('/auth/me', { query: { access_token: userA.token } }), 401, 'unauthorized');
    });
  });

  describe('a reseller user', () => {
    it('cannot approve or reject a ticket, not even its own', async () => {
      expectError(await userA.client.post(`/tickets/${ticketA.id}/approve`, {}), 403, 'forbidden');
      expectError(
        await userA.client.post(`/tickets/${ticketA.id}/reject`, { reason: 'I changed my mind' }),
        403,
        'forbidden',
      );
      const after = await ticketAsAgent(ticketA.id);
      expect(after).toMatchObject({ status: 'open', decidedBy: null, decidedAt: null });
      expect(after.history.map((entry) => entry.toStatus)).toEqual(['open']);
    });

    it("cannot ask to turn its reseller's 2FA off, nor for a reset of someone else's 2FA; can for its own", async () => {
      const reseller = await gw.factory.reseller();
      const [user, admin] = await Promise.all([
        gw.factory.signedInUser({ resellerId: reseller.id }),
        gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' }),
      ]);
      expectError(await user.client.post('/tickets', { type: 'disable_2fa' }), 403, 'forbidden');
      expectError(
        await user.client.post('/tickets', { type: 'reset_user_2fa', targetUsername: admin.username }),
        403,
        'forbidden',
      );
      expect(await ticketIdsOf(reseller.id)).toEqual([]);
      const own = await openTicket(user, { type: 'reset_user_2fa', targetUsername: user.username.toUpperCase() });
      expect(own).toMatchObject({ type: 'reset_user_2fa', openedBy: user.username });
    });

    it('cannot create a reseller', async () => {
      const id = `sneaky-${unique()}`;
      expectError(await userA.client.post('/resellers', { id, name: 'Sneaky' }), 403, 'forbidden');
      expectError(await gw.agent.get(`/resellers/${id}`), 404);
    });

    it('cannot create a user, not even for its own reseller', async () => {
      const username = `sneaky-${unique()}`;
      const password = strongPassword();
      expectError(
        await userA.client.post('/users', { username, password, resellerId: resellerA.id, role: 'reseller_user' }),
        403,
        'forbidden',
      );
      expectError(await gw.anon.post('/auth/login', { username, password }), 401, 'invalid_credentials');
    });

    it("cannot read a reseller's settings, its own or another's (agents and reseller admins only)", async () => {
      expectError(await userA.client.get(`/resellers/${resellerB.id}`), 403, 'forbidden');
      expectError(await userA.client.get(`/resellers/${resellerA.id}`), 403, 'forbidden');
    });

    it('cannot open a ticket for another reseller', async () => {
      const before = await ticketIdsOf(resellerB.id);
      expectError(
        await userA.client.post('/tickets', { type: 'enable_2fa', resellerId: resellerB.id }),
        403,
        'forbidden',
      );
      expect(await ticketIdsOf(resellerB.id)).toEqual(before);
      expect((await gw.agent.get(`/resellers/${resellerB.id}`)).body).toMatchObject({ twoFactorEnabled: false });
    });

    it("cannot read or comment on another reseller's ticket, which answers like a missing one", async () => {
      const read = await userA.client.get(`/tickets/${ticketB.id}`);
      expectError(read, 404);
      const missing = await userA.client.get('/tickets/00000000-0000-4000-8000-000000000000');
      expectError(missing, 404, read.body.error);

      expectError(
        await userA.client.post(`/tickets/${ticketB.id}/comments`, { body: 'Peeking in' }),
        404,
        read.body.error,
      );
      expect((await ticketAsAgent(ticketB.id)).comments).toEqual([]);
    });

    it("cannot list another reseller's tickets by asking for them", async () => {
      expectError(await userA.client.get('/tickets', { query: { resellerId: resellerB.id } }), 403, 'forbidden');
      const own = await userA.client.get<{ items: TicketView[] }>('/tickets');
      expect(own.status).toBe(200);
      expect(own.body.items.map((item) => item.id)).not.toContain(ticketB.id);
      expect(own.body.items.every((item) => item.resellerId === resellerA.id)).toBe(true);
    });
  });

  describe('a reseller admin', () => {
    it('reads its own reseller but not another', async () => {
      const own = await adminA.client.get(`/resellers/${resellerA.id}`);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ id: resellerA.id, twoFactorEnabled: false });
      expectError(await adminA.client.get(`/resellers/${resellerB.id}`), 403, 'forbidden');
    });

    it('creates users for its own reseller, who can then sign in', async () => {
      const user = await gw.factory.as(adminA.client).user({ resellerId: resellerA.id, role: 'reseller_user' });
      expect(user).toMatchObject({ resellerId: resellerA.id, role: 'reseller_user' });
      expect(typeof (await gw.login(user.username, user.password))).toBe('string');
    });

    it('cannot create users for another reseller', async () => {
      const username = `intruder-${unique()}`;
      const password = strongPassword();
      expectError(
        await adminA.client.post('/users', { username, password, resellerId: resellerB.id, role: 'reseller_user' }),
        403,
        'forbidden',
      );
      expectError(
        await adminA.client.post('/users', { username, password, resellerId: resellerB.id, role: 'reseller_admin' }),
        403,
        'forbidden',
      );
      expectError(await gw.anon.post('/auth/login', { username, password }), 401, 'invalid_credentials');
    });

    it('cannot create an agent', async () => {
      const username = `fake-agent-${unique()}`;
      const password = strongPassword();
      expectError(
        await adminA.client.post('/users', { username, password, resellerId: resellerA.id, role: 'agent' }),
        403,
        'forbidden',
      );
      expectError(await adminA.client.post('/users', { username, password, role: 'agent' }), 403, 'forbidden');
      expectError(await gw.anon.post('/auth/login', { username, password }), 401, 'invalid_credentials');
    });

    it("asks to turn its reseller's 2FA off and for a reset of one of its users", async () => {
      const reseller = await gw.factory.reseller();
      const [user, admin] = await Promise.all([
        gw.factory.user({ resellerId: reseller.id }),
        gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' }),
      ]);
      expect(await openTicket(admin, { type: 'disable_2fa' })).toMatchObject({
        type: 'disable_2fa',
        openedBy: admin.username,
      });
      expect(await openTicket(admin, { type: 'reset_user_2fa', targetUsername: user.username })).toMatchObject({
        type: 'reset_user_2fa',
      });
    });

    it('cannot create resellers or decide tickets', async () => {
      expectError(
        await adminA.client.post('/resellers', { id: `admin-made-${unique()}`, name: 'Admin made' }),
        403,
        'forbidden',
      );
      expectError(await adminA.client.post(`/tickets/${ticketA.id}/approve`, {}), 403, 'forbidden');
      expectError(await adminA.client.post(`/tickets/${ticketA.id}/reject`, { reason: 'no' }), 403, 'forbidden');
      expect((await ticketAsAgent(ticketA.id)).status).toBe('open');
    });
  });

  describe('an agent', () => {
    it('reads every reseller and every ticket', async () => {
      expect((await gw.agent.get(`/resellers/${resellerB.id}`)).status).toBe(200);
      const ticket = await gw.agent.get<TicketView>(`/tickets/${ticketB.id}`);
      expect(ticket.status).toBe(200);
      expect(ticket.body).toMatchObject({ id: ticketB.id, resellerId: resellerB.id });
      expect(await ticketIdsOf(resellerB.id)).toEqual([ticketB.id]);
      expect(await ticketIdsOf(resellerA.id)).toEqual([ticketA.id]);
    });

    it("comments on any reseller's ticket, and the reseller sees the comment", async () => {
      const comment = await gw.agent.post(`/tickets/${ticketB.id}/comments`, { body: 'Looking into it.' });
      expect(comment.status).toBe(201);
      expect(comment.body).toMatchObject({
        id: expect.any(String),
        author: stack.agent.username,
        body: 'Looking into it.',
      });
      const seen = await userB.client.get<TicketView>(`/tickets/${ticketB.id}`);
      expect(seen.body.comments.map((c) => c.body)).toEqual(['Looking into it.']);
    });

    it('opens a ticket on behalf of a reseller', async () => {
      const response = await gw.agent.post<TicketView>('/tickets', {
        type: 'general',
        subject: 'Called in by phone',
        resellerId: resellerB.id,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ resellerId: resellerB.id, status: 'open', openedBy: stack.agent.username });
    });

    it('creates users for any reseller, and other agents', async () => {
      const user = await gw.factory.user({ resellerId: resellerB.id, role: 'reseller_admin' });
      expect(user).toMatchObject({ resellerId: resellerB.id, role: 'reseller_admin' });

      const agent = await gw.factory.signedInUser({ role: 'agent' });
      const me = await agent.client.get('/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ username: agent.username, role: 'agent', resellerId: null });
      expect((await agent.client.get(`/tickets/${ticketA.id}`)).status).toBe(200);
    });

    it('never approves a ticket it opened itself (own_ticket); another agent may', async () => {
      const opened = await gw.agent.post<TicketView>('/tickets', {
        type: 'enable_2fa',
        subject: 'Asked by phone',
        resellerId: resellerB.id,
      });
      expect(opened.status).toBe(201);
      expectError(await gw.agent.post(`/tickets/${opened.body.id}/approve`, {}), 403, 'own_ticket');
      expect(await ticketAsAgent(opened.body.id)).toMatchObject({ status: 'open', decidedBy: null });
      const colleague = await gw.factory.signedInUser({ role: 'agent' });
      const approved = await colleague.client.post<TicketView>(`/tickets/${opened.body.id}/approve`, {});
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', decidedBy: colleague.username });
    });

    it('rejects and approves tickets', async () => {
      const rejected = await gw.agent.post<TicketView>(`/tickets/${ticketA.id}/reject`, {
        reason: 'Please ask through your account manager.',
      });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: stack.agent.username });

      const request = await openTicket(userB, { type: 'enable_2fa' });
      const approved = await gw.agent.post<TicketView>(`/tickets/${request.id}/approve`, {});
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('approved');
    });
  });

  describe('logging out', () => {
    it('ends the session at once, and only that session', async () => {
      const user = await gw.factory.user({ resellerId: resellerA.id });
      const [first, second] = [
        await gw.login(user.username, user.password),
        await gw.login(user.username, user.password),
      ];
      expect((await gw.anon.as(first).get('/auth/me')).status).toBe(200);

      const logout = await gw.anon.as(first).post('/auth/logout');
      expect(logout.status).toBe(204);

      expectError(await gw.anon.as(first).get('/auth/me'), 401, 'unauthorized');
      expectError(await gw.anon.as(first).get('/tickets'), 401, 'unauthorized');
      expectError(await gw.anon.as(first).post('/auth/logout'), 401, 'unauthorized');
      expect((await gw.anon.as(second).get('/auth/me')).status).toBe(200);
    });
  });
});
