import type { TicketView } from '@pbx2fa/contracts';
import {
  eventually,
  expectError,
  strongPassword,
  unique,
  type ApiResponse,
  type Gateway,
  type ResellerView,
  type SignedInUser,
} from './support/api';
import { useStack } from './support/e2e';

/** Whatever a client sends, the gateway answers with the contract's 4xx body and changes nothing. */
describe('bad input', () => {
  let gw: Gateway;
  let reseller: ResellerView;
  let user: SignedInUser;
  let openTicket: TicketView;

  useStack((started) => ({ gw } = started));

  beforeAll(async () => {
    reseller = await gw.factory.reseller();
    user = await gw.factory.signedInUser({ resellerId: reseller.id });
    const opened = await user.client.post<TicketView>('/tickets', { type: 'general', subject: 'Left open on purpose' });
    if (opened.status !== 201)
      throw new Error(`POST /tickets answered ${opened.status} ${JSON.stringify(opened.body)}`);
    openTicket = opened.body;
  });

  async function ticketIds(): Promise<string[]> {
    const response = await gw.agent.get<{ items: TicketView[] }>('/tickets', { query: { resellerId: reseller.id } });
    expect(response.status).toBe(200);
    return response.body.items.map((item) => item.id).sort();
  }

  async function expectTicketUntouched(): Promise<void> {
    const current = await gw.agent.get<TicketView>(`/tickets/${openTicket.id}`);
    expect(current.body).toMatchObject({
      status: 'open',
      updatedAt: openTicket.updatedAt,
      comments: [],
      decidedBy: null,
    });
    expect(current.body.history).toHaveLength(1);
  }

  async function expectNoSuchReseller(id: string): Promise<void> {
    expectError(await gw.agent.get(`/resellers/${encodeURIComponent(id)}`), id.match(/^[a-z0-9-]{2,40}$/) ? 404 : 400);
  }

  async function expectCannotSignIn(username: string, password: string): Promise<void> {
    expectError(await gw.anon.post('/auth/login', { username, password }), 401, 'invalid_credentials');
  }

  describe('unknown fields', () => {
    it('refuses them when creating a reseller', async () => {
      const id = `extra-${unique()}`;
      expectError(
        await gw.agent.post('/resellers', { id, name: 'Extra', twoFactorEnabled: true }),
        400,
        'validation_failed',
      );
      await expectNoSuchReseller(id);
    });

    it('refuses them when creating a user', async () => {
      const username = `extra-${unique()}`;
      const password = strongPassword();
      const response = await gw.agent.post('/users', {
        username,
        password,
        resellerId: reseller.id,
        role: 'reseller_user',
        isAdmin: true,
      });
      expectError(response, 400, 'validation_failed');
      await expectCannotSignIn(username, password);
    });

    it('refuses them when opening, approving or commenting on a ticket', async () => {
      const before = await ticketIds();
      expectError(
        await user.client.post('/tickets', { type: 'general', status: 'approved' }),
        400,
        'validation_failed',
      );
      expectError(
        await gw.agent.post(`/tickets/${openTicket.id}/approve`, { note: 'ok', force: true }),
        400,
        'validation_failed',
      );
      expectError(
        await user.client.post(`/tickets/${openTicket.id}/comments`, { body: 'hi', author: 'agent.smith' }),
        400,
        'validation_failed',
      );
      expect(await ticketIds()).toEqual(before);
      await expectTicketUntouched();
    });

    it('refuses them when signing in', async () => {
      const response = await gw.anon.post('/auth/login', {
        username: user.username,
        password: user.password,
        role: 'agent',
      });
      expectError(response, 400, 'validation_failed');
    });
  });

  describe('wrong types and values', () => {
    const badResellers: [string, unknown][] = [
      ['a numeric id', { id: 42, name: 'Numbers' }],
      ['an object for a name', { id: 'typed-reseller', name: { first: 'x' } }],
      ['no name', { id: 'typed-reseller' }],
      ['an id with capitals and spaces', { id: 'Typed Reseller', name: 'Caps' }],
      ['a one-character id', { id: 'a', name: 'Short' }],
      ['a 41-character id', { id: 'a'.repeat(41), name: 'Long' }],
      ['an array instead of an object', [{ id: 'typed-reseller', name: 'Array' }]],
      ['a JSON string instead of an object', 'typed-reseller'],
      ['JSON null', null],
    ];

    it.each(badResellers)('refuses a reseller with %s', async (_, body) => {
      const response = await gw.agent.raw({
        method: 'POST',
        path: '/resellers',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      expectError(response, 400);
      expect(['validation_failed', 'malformed_json']).toContain(response.body.error);
      await expectNoSuchReseller('typed-reseller');
    });

    const badUsers: [string, Record<string, unknown>][] = [
      ['an unknown role', { role: 'superuser' }],
      ['a numeric password', { password: 123456789012345 }],
      ['an array for resellerId', { resellerId: ['x'] }],
      ['no username', { username: undefined }],
    ];

    it.each(badUsers)('refuses a user with %s', async (_, override) => {
      const body = {
        username: `typed-${unique()}`,
        password: strongPassword(),
        resellerId: reseller.id,
        role: 'reseller_user',
        ...override,
      };
      expectError(await gw.agent.post('/users', body), 400, 'validation_failed');
      if (typeof body.username === 'string' && typeof body.password === 'string')
        await expectCannotSignIn(body.username, body.password);
    });

    const badTickets: [string, Record<string, unknown>][] = [
      ['an unknown type', { type: 'make_coffee' }],
      ['no type', { subject: 'No type' }],
      ['a numeric subject', { type: 'general', subject: 42 }],
      ['a reset_user_2fa without targetUsername', { type: 'reset_user_2fa' }],
    ];

    it.each(badTickets)('refuses a ticket with %s', async (_, body) => {
      const before = await ticketIds();
      expectError(await user.client.post('/tickets', body), 400, 'validation_failed');
      expect(await ticketIds()).toEqual(before);
    });

    it('refuses a sign-in with wrong types instead of treating it as a failed password', async () => {
      expectError(
        await gw.anon.post('/auth/login', { username: [user.username], password: true }),
        400,
        'validation_failed',
      );
      expect(typeof (await gw.login(user.username, user.password))).toBe('string');
    });

    const badQueries: Record<string, string>[] = [
      { status: 'bogus' },
      { type: 'bogus' },
      { limit: 'abc' },
      { limit: '-1' },
      { cursor: '!!!not-a-cursor!!!' },
    ];

    it.each(badQueries)('refuses a ticket listing with %p', async (query) => {
      expectError(await user.client.get('/tickets', { query }), 400);
    });
  });

  describe('malformed and oversized bodies', () => {
    it('answers 400 malformed_json to broken JSON', async () => {
      const id = `broken-${unique()}`;
      for (const [path, text] of [
        ['/resellers', `{"id": "${id}", "name": `],
        ['/auth/login', '{username: "agent.smith"}'],
        ['/tickets', "{'type': 'general'}"],
      ]) {
        const client = path === '/auth/login' ? gw.anon : gw.agent;
        const response = await client.raw({
          method: 'POST',
          path,
          body: text,
          headers: { 'content-type': 'application/json' },
        });
        expectError(response, 400, 'malformed_json');
      }
      await expectNoSuchReseller(id);
    });

    it('answers 413 payload_too_large to an oversized body, and opens no ticket', async () => {
      const before = await ticketIds();
      const response = await user.client.post('/tickets', {
        type: 'general',
        subject: 'Huge',
        description: 'x'.repeat(2 * 1024 * 1024),
      });
      expectError(response, 413, 'payload_too_large');
      expect(await ticketIds()).toEqual(before);
      expectError(
        await gw.anon.post('/auth/login', { username: user.username, password: 'p'.repeat(1024 * 1024) }),
        413,
        'payload_too_large',
      );
    });
  });

  describe('ids in the path', () => {
    it.each(['not-a-uuid', '123', "1' OR '1'='1", '00000000-0000-4000-8000-00000000000g'])(
      'answers 400 invalid_id to the ticket id %p',
      async (id) => {
        const path = `/tickets/${encodeURIComponent(id)}`;
        expectError(await gw.agent.get(path), 400, 'invalid_id');
        expectError(await gw.agent.post(`${path}/approve`, {}), 400, 'invalid_id');
        expectError(await user.client.post(`${path}/comments`, { body: 'hello' }), 400, 'invalid_id');
      },
    );

    it('answers 404 to a well-formed ticket id that does not exist', async () => {
      expectError(await gw.agent.get('/tickets/00000000-0000-4000-8000-000000000000'), 404);
      expectError(await gw.agent.post('/tickets/00000000-0000-4000-8000-000000000000/approve', {}), 404);
    });

    it.each(['Bad_ID!', 'a', 'x'.repeat(41), 'UPPER'])('answers 400 to the reseller id %p', async (id) => {
      expectError(await gw.agent.get(`/resellers/${encodeURIComponent(id)}`), 400);
    });

    it('answers 404 to a well-formed reseller id that does not exist', async () => {
      expectError(await gw.agent.get(`/resellers/nobody-${unique()}`), 404);
    });
  });

  describe('conflicts', () => {
    it('answers 409 invalid_transition to a second approval, and applies the first only once', async () => {
      const target = await gw.factory.reseller();
      const requester = await gw.factory.signedInUser({ resellerId: target.id });
      const opened = await requester.client.post<TicketView>('/tickets', { type: 'enable_2fa' });
      expect(opened.status).toBe(201);

      expect((await gw.agent.post(`/tickets/${opened.body.id}/approve`, {})).status).toBe(200);
      expectError(await gw.agent.post(`/tickets/${opened.body.id}/approve`, {}), 409, 'invalid_transition');

      const resolved = await eventually(async () => {
        const current = await gw.agent.get<TicketView>(`/tickets/${opened.body.id}`);
        expect(current.body.status).toBe('resolved');
        return current.body;
      });
      expectError(await gw.agent.post(`/tickets/${opened.body.id}/approve`, {}), 409, 'invalid_transition');
      expectError(
        await gw.agent.post(`/tickets/${opened.body.id}/reject`, { reason: 'too late' }),
        409,
        'invalid_transition',
      );

      const after = await gw.agent.get<TicketView>(`/tickets/${opened.body.id}`);
      expect(after.body.history.map((entry) => entry.toStatus)).toEqual(['open', 'approved', 'resolved']);
      expect(after.body.updatedAt).toBe(resolved.updatedAt);
      expect((await gw.agent.get(`/resellers/${target.id}`)).body).toMatchObject({
        twoFactorEnabled: true,
        version: target.version + 1,
      });
    });

    it('answers 409 to a reseller that already exists, and keeps the first', async () => {
      const response = await gw.agent.post('/resellers', { id: reseller.id, name: 'Impostor' });
      expectError(response, 409, 'reseller_exists');
      expect((await gw.agent.get(`/resellers/${reseller.id}`)).body).toMatchObject({
        name: reseller.name,
        version: reseller.version,
      });
    });

    it('answers 409 to a username that already exists, and keeps the first password', async () => {
      const other = await gw.factory.reseller();
      const newPassword = strongPassword();
      for (const resellerId of [reseller.id, other.id]) {
        const response = await gw.agent.post('/users', {
          username: user.username,
          password: newPassword,
          resellerId,
          role: 'reseller_admin',
        });
        expectError(response, 409, 'username_taken');
      }
      await expectCannotSignIn(user.username, newPassword);
      const token = await gw.login(user.username, user.password);
      const me = await gw.anon.as(token).get('/auth/me');
      expect(me.body).toMatchObject({ id: user.id, resellerId: reseller.id, role: 'reseller_user' });
    });
  });

  describe('credentials', () => {
    it('answers a wrong password and an unknown user alike, and the account still works', async () => {
      const wrongPassword = await gw.anon.post('/auth/login', {
        username: user.username,
        password: 'Not-the-password-1!',
      });
      const unknownUser = await gw.anon.post('/auth/login', {
        username: `nobody-${unique()}`,
        password: 'Not-the-password-1!',
      });
      expectError(wrongPassword, 401, 'invalid_credentials');
      expectError(unknownUser, 401, 'invalid_credentials');
      expect(unknownUser.body).toEqual(wrongPassword.body);
      expect(typeof (await gw.login(user.username, user.password))).toBe('string');
    });
  });

  describe('odd input', () => {
    const oddInputs: [string, () => Promise<ApiResponse>][] = [
      [
        'a NUL byte in a reseller name',
        () => gw.agent.post('/resellers', { id: `nul-${unique()}`, name: 'Nul\u0000Name' }),
      ],
      [
        'a NUL byte in a username at sign-in',
        () => gw.anon.post('/auth/login', { username: 'agent\u0000smith', password: 'whatever-it-is' }),
      ],
      [
        'a NUL byte in a new username',
        () =>
          gw.agent.post('/users', {
            username: 'nul\u0000user',
            password: strongPassword(),
            resellerId: reseller.id,
            role: 'reseller_user',
          }),
      ],
      [
        'a NUL byte in a ticket subject',
        () => user.client.post('/tickets', { type: 'general', subject: 'Nul\u0000subject' }),
      ],
      [
        'a NUL byte in a comment',
        () => user.client.post(`/tickets/${openTicket.id}/comments`, { body: 'Nul\u0000comment' }),
      ],
      [
        'lone surrogates in a ticket subject',
        () =>
          user.client.raw({
            method: 'POST',
            path: '/tickets',
            body: '{"type":"general","subject":"\\ud800x"}',
            headers: { 'content-type': 'application/json' },
          }),
      ],
      [
        'a 10,000-character username at sign-in',
        () => gw.anon.post('/auth/login', { username: 'u'.repeat(10_000), password: 'whatever-it-is' }),
      ],
      [
        'a 50,000-character ticket subject',
        () => user.client.post('/tickets', { type: 'general', subject: 's'.repeat(50_000) }),
      ],
      ['an encoded NUL as ticket id', () => gw.agent.get('/tickets/%00')],
      ['an encoded NUL as reseller id', () => gw.agent.get('/resellers/%00')],
      ['a resellerId filter with a NUL byte', () => gw.agent.get('/tickets', { query: { resellerId: 'a\u0000b' } })],
      [
        'JSON sent as text/plain',
        () =>
          gw.agent.raw({
            method: 'POST',
            path: '/resellers',
            body: '{"id":"plain-text","name":"x"}',
            headers: { 'content-type': 'text/plain' },
          }),
      ],
      [
        'JSON in an unknown charset',
        () =>
          gw.anon.raw({
            method: 'POST',
            path: '/auth/login',
            body: '{}',
            headers: { 'content-type': 'application/json; charset=klingon' },
          }),
      ],
    ];

    it.each(oddInputs)('never answers 5xx to %s', async (_, send) => {
      const response = await send();
      expect(response.status).toBeLessThan(500);
      if (response.status >= 400) expectError(response, response.status);
    });

    it('left the open ticket and the reseller as they were', async () => {
      const current = await gw.agent.get<TicketView>(`/tickets/${openTicket.id}`);
      expect(current.body).toMatchObject({ status: 'open', decidedBy: null });
      expect(current.body.comments.map((c) => c.body)).not.toContain('Nul\u0000comment');
      expect((await gw.agent.get(`/resellers/${reseller.id}`)).body).toMatchObject({
        twoFactorEnabled: false,
        version: reseller.version,
      });
    });
  });
});
