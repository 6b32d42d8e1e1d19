import type { TicketView } from '@pbx2fa/contracts';
import { expectError, unique, type ApiClient, type Gateway, type SignedInUser } from './support/api';
import { type Stack } from './support/stack';
import { approveTicket, openTicket } from './support/two-factor';
import { useStack } from './support/e2e';

/**
 * What the desk works with: the queue in either order with stable pages, search, reseller names,
 * assignment, and internal notes that never reach the reseller's users.
 */

type Ticket = TicketView & { resellerName: string | null };

describe('the desk: queue, search, assignment and internal notes', () => {
  let stack: Stack;
  let gw: Gateway;
  /** A second agent, so one can decide what the other opened and assignments have two people. */
  let bob: SignedInUser;
  let bluewave: { id: string; name: string };
  let admin: SignedInUser;
  let user: SignedInUser;

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {
    bluewave = await gw.factory.reseller({ id: `bluewave-${unique()}`, name: `Bluewave Telecom ${unique()}` });
    admin = await gw.factory.signedInUser({ resellerId: bluewave.id, role: 'reseller_admin' });
    user = await gw.factory.signedInUser({ resellerId: bluewave.id });
    bob = await gw.factory.signedInUser({ role: 'agent', username: `bob-${unique()}` });
  });

  /** Every page of a listing, following nextCursor; fails if a page repeats a ticket. */
  async function allPages(client: ApiClient, query: Record<string, string | number>): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await client.get<{ items: Ticket[]; nextCursor: string | null }>('/tickets', {
        query: { ...query, cursor },
      });
      expect(response.status).toBe(200);
      ids.push(...response.body.items.map((ticket) => ticket.id));
      cursor = response.body.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(ids).size).toBe(ids.length);
    return ids;
  }

  async function read(client: ApiClient, id: string): Promise<Ticket> {
    const response = await client.get<Ticket>(`/tickets/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  describe('the queue', () => {
    let reseller: { id: string; name: string };
    let opened: Ticket[];

    beforeAll(async () => {
      reseller = await gw.factory.reseller({ name: `Queue Order ${unique()}` });
      const opener = await gw.factory.signedInUser({ resellerId: reseller.id });
      opened = [];
      // One after the other, so their creation times are in this order.
      for (const n of [1, 2, 3, 4, 5]) {
        opened.push((await openTicket(opener.client, { type: 'general', subject: `Queue ${n}` })) as Ticket);
      }
      await gw.agent.post(`/tickets/${opened[2].id}/reject`, { reason: 'Not for us' });
    });

    it('lists open tickets oldest first by default, and newest first when asked', async () => {
      const open = opened.filter((_, index) => index !== 2).map((ticket) => ticket.id);
      const oldest = await gw.agent.get<{ items: Ticket[] }>('/tickets', {
        query: { resellerId: reseller.id, status: 'open' },
      });
      expect(oldest.body.items.map((ticket) => ticket.id)).toEqual(open);
      const newest = await gw.agent.get<{ items: Ticket[] }>('/tickets', {
        query: { resellerId: reseller.id, status: 'open', sort: 'newest' },
      });
      expect(newest.body.items.map((ticket) => ticket.id)).toEqual([...open].reverse());
      // Any other list keeps newest first, as before.
      const all = await gw.agent.get<{ items: Ticket[] }>('/tickets', { query: { resellerId: reseller.id } });
      expect(all.body.items.map((ticket) => ticket.id)).toEqual(opened.map((ticket) => ticket.id).reverse());
    });

    it('pages through either order without skipping or repeating a ticket', async () => {
      const ids = opened.map((ticket) => ticket.id);
      expect(await allPages(gw.agent, { resellerId: reseller.id, sort: 'oldest', limit: 2 })).toEqual(ids);
      expect(await allPages(gw.agent, { resellerId: reseller.id, sort: 'newest', limit: 2 })).toEqual(
        [...ids].reverse(),
      );
      expect(await allPages(user.client, { sort: 'oldest', limit: 1 })).toEqual(
        await allPages(user.client, { sort: 'oldest', limit: 100 }),
      );
    });

    it("refuses a cursor of one order for the other with 400 invalid_cursor, open tickets' default included", async () => {
      const first = await gw.agent.get('/tickets', { query: { resellerId: reseller.id, sort: 'newest', limit: 1 } });
      const cursor = first.body.nextCursor as string;
      expectError(
        await gw.agent.get('/tickets', { query: { resellerId: reseller.id, sort: 'oldest', cursor } }),
        400,
        'invalid_cursor',
      );
      expectError(
        await gw.agent.get('/tickets', { query: { resellerId: reseller.id, status: 'open', cursor } }),
        400,
        'invalid_cursor',
      );
    });

    it('names the reseller on every ticket: listed, read, opened and decided', async () => {
      const listed = await gw.agent.get<{ items: Ticket[] }>('/tickets', { query: { resellerId: reseller.id } });
      expect(new Set(listed.body.items.map((ticket) => ticket.resellerName))).toEqual(new Set([reseller.name]));
      expect((await read(gw.agent, opened[0].id)).resellerName).toBe(reseller.name);
      expect(opened[0].resellerName).toBe(reseller.name);
      const ownList = await user.client.get<{ items: Ticket[] }>('/tickets');
      for (const ticket of ownList.body.items) expect(ticket.resellerName).toBe(bluewave.name);
      const rejected = await gw.agent.post<Ticket>(`/tickets/${opened[4].id}/reject`, { reason: 'Duplicate' });
      expect(rejected.body).toMatchObject({ status: 'rejected', resellerName: reseller.name });
    });

    it.each([
      ['an unknown order', { sort: 'random' }],
      ['an assignee that is no username', { assignee: 'a b' }],
      ['a search longer than 200 characters', { q: 'x'.repeat(201) }],
      ['reseller names sent by the client', { q: 'blue', resellersNamed: 'bluewave' }],
    ])('refuses %s with 400', async (_, query) => {
      expectError(await gw.agent.get('/tickets', { query }), 400);
    });
  });

  describe('search (q)', () => {
    let tickets: Record<'subject' | 'description' | 'byAdmin' | 'other' | 'percent', Ticket>;
    let otherReseller: { id: string; name: string };
    let marker: string;

    beforeAll(async () => {
      marker = `zq${unique()}`;
      otherReseller = await gw.factory.reseller({ name: `Harbour Phones ${unique()}` });
      const outsider = await gw.factory.signedInUser({ resellerId: otherReseller.id });
      tickets = {
        subject: (await openTicket(user.client, { type: 'general', subject: `Voicemail ${marker} broken` })) as Ticket,
        description: (await openTicket(user.client, {
          type: 'general',
          subject: 'Something else',
          description: `The ${marker} password page hangs`,
        })) as Ticket,
        byAdmin: (await openTicket(admin.client, { type: 'general', subject: 'Invoices' })) as Ticket,
        other: (await openTicket(outsider.client, { type: 'general', subject: `Voicemail ${marker}` })) as Ticket,
        percent: (await openTicket(user.client, { type: 'general', subject: `Discount 50% ${marker}` })) as Ticket,
      };
    });

    const ids = (response: { body: { items: Ticket[] } }) => response.body.items.map((ticket) => ticket.id).sort();
    const search = (client: ApiClient, q: string, extra: Record<string, string> = {}) =>
      client.get<{ items: Ticket[] }>('/tickets', { query: { q, limit: 100, ...extra } });

    it('finds words in the subject and the description, every word having to match', async () => {
      expect(ids(await search(gw.agent, marker))).toEqual(
        [tickets.subject, tickets.description, tickets.other, tickets.percent].map((t) => t.id).sort(),
      );
      expect(ids(await search(gw.agent, `VOICEMAIL ${marker}`))).toEqual([tickets.subject.id, tickets.other.id].sort());
      expect(ids(await search(gw.agent, `${marker} password`))).toEqual([tickets.description.id]);
      expect(ids(await search(gw.agent, `${marker} nothing-like-this`))).toEqual([]);
    });

    it('finds a reseller by a word of its name or its id, and a ticket by its opener', async () => {
      const nameWord = otherReseller.name.split(' ')[0];
      expect(ids(await search(gw.agent, `${nameWord} ${marker}`))).toEqual([tickets.other.id]);
      expect(ids(await search(gw.agent, `${otherReseller.name.split(' ')[2]}`))).toEqual([tickets.other.id]);
      expect(ids(await search(gw.agent, `${bluewave.id} ${marker}`))).toEqual(
        [tickets.subject, tickets.description, tickets.percent].map((t) => t.id).sort(),
      );
      expect(ids(await search(gw.agent, admin.username))).toEqual([tickets.byAdmin.id]);
    });

    it('takes % and _ literally', async () => {
      expect(ids(await search(gw.agent, `50% ${marker}`))).toEqual([tickets.percent.id]);
      expect(ids(await search(gw.agent, `5_% ${marker}`))).toEqual([]);
    });

    it("searches a reseller user's own tickets only, whatever the words", async () => {
      expect(ids(await search(user.client, marker))).toEqual(
        [tickets.subject, tickets.description, tickets.percent].map((t) => t.id).sort(),
      );
      expect(ids(await search(user.client, otherReseller.name))).toEqual([]);
    });

    it('combines with the other filters', async () => {
      expect(ids(await search(gw.agent, marker, { resellerId: otherReseller.id }))).toEqual([tickets.other.id]);
    });

    it('looks resellers up by name for agents only', async () => {
      const found = await gw.agent.get('/resellers', { query: { q: otherReseller.name.toUpperCase() } });
      expect(found.status).toBe(200);
      expect(found.body.items).toEqual([{ id: otherReseller.id, name: otherReseller.name }]);
      expectError(await user.client.get('/resellers', { query: { q: 'Harbour' } }), 403, 'forbidden');
      expectError(await gw.agent.get('/resellers', { query: { q: 'x'.repeat(201) } }), 400, 'validation_failed');
    });
  });

  describe('assignment', () => {
    let ticket: Ticket;

    beforeAll(async () => {
      ticket = (await openTicket(user.client, { type: 'general', subject: `Assign me ${unique()}` })) as Ticket;
      expect(ticket.assignee).toBeNull();
    });

    it("assigns a ticket to an agent, which the history and the reseller's own view show", async () => {
      const response = await gw.agent.post<Ticket>(`/tickets/${ticket.id}/assign`, { assignee: bob.username });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ assignee: bob.username, status: 'open', resellerName: bluewave.name });
      expect(response.body.history.at(-1)).toMatchObject({ action: 'assigned', actor: stack.agent.username });
      expect((await read(user.client, ticket.id)).assignee).toBe(bob.username);
    });

    it('lists what is assigned to me, or to someone by name', async () => {
      const mine = await bob.client.get<{ items: Ticket[] }>('/tickets', { query: { assignee: 'me', limit: 100 } });
      expect(mine.body.items.map((t) => t.id)).toEqual([ticket.id]);
      const bobs = await gw.agent.get<{ items: Ticket[] }>('/tickets', { query: { assignee: bob.username } });
      expect(bobs.body.items.map((t) => t.id)).toEqual([ticket.id]);
      const agents = await gw.agent.get<{ items: Ticket[] }>('/tickets', { query: { assignee: 'me' } });
      expect(agents.body.items.map((t) => t.id)).not.toContain(ticket.id);
    });

    it.each([
      ['a reseller user', () => ({ assignee: user.username }), 400, 'validation_failed'],
      ['nobody who exists', () => ({ assignee: `ghost-${unique()}` }), 400, 'validation_failed'],
      ['no assignee at all', () => ({}), 400, 'validation_failed'],
      ['a number', () => ({ assignee: 42 }), 400, 'validation_failed'],
      ['an extra field', () => ({ assignee: bob.username, force: true }), 400, 'validation_failed'],
    ])('refuses to assign %s, and nothing changes', async (_, body, status, code) => {
      const before = await read(gw.agent, ticket.id);
      expectError(await gw.agent.post(`/tickets/${ticket.id}/assign`, body()), status, code);
      expect(await read(gw.agent, ticket.id)).toEqual(before);
    });

    it("refuses a reseller's users (403), and nothing changes", async () => {
      const before = await read(gw.agent, ticket.id);
      for (const client of [user.client, admin.client]) {
        expectError(await client.post(`/tickets/${ticket.id}/assign`, { assignee: null }), 403, 'forbidden');
        expectError(
          await client.post(`/tickets/${ticket.id}/assign`, { assignee: stack.agent.username }),
          403,
          'forbidden',
        );
      }
      expect(await read(gw.agent, ticket.id)).toEqual(before);
    });

    it('lands two assignments sent at once one after the other, both in the history', async () => {
      const [a, b] = await Promise.all([
        gw.agent.post<Ticket>(`/tickets/${ticket.id}/assign`, { assignee: stack.agent.username }),
        bob.client.post<Ticket>(`/tickets/${ticket.id}/assign`, { assignee: null }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const after = await read(gw.agent, ticket.id);
      const changes = after.history.filter((entry) => /assigned$/.test(entry.action));
      expect(
        changes
          .map((entry) => entry.action)
          .slice(1)
          .sort(),
      ).toEqual(['assigned', 'unassigned']);
      expect(after.assignee).toBe(changes.at(-1)!.action === 'assigned' ? stack.agent.username : null);
    });

    it('refuses to assign a decided ticket with 409', async () => {
      const decided = await openTicket(user.client, { type: 'general', subject: 'Decided' });
      await approveTicket(gw, decided.id);
      expectError(
        await gw.agent.post(`/tickets/${decided.id}/assign`, { assignee: bob.username }),
        409,
        'invalid_transition',
      );
      expect((await read(gw.agent, decided.id)).assignee).toBeNull();
    });
  });

  describe('internal notes and replies', () => {
    let ticket: Ticket;
    const NOTE = 'Internal: the admin called from an unknown number, double-check before approving.';
    const REPLY = 'Could you confirm which users need it first?';

    beforeAll(async () => {
      ticket = (await openTicket(admin.client, { type: 'disable_2fa', subject: `Turn it off ${unique()}` })) as Ticket;
    });

    it('keeps an internal note from the reseller, its history and even its updatedAt', async () => {
      const before = await read(admin.client, ticket.id);
      const note = await bob.client.post(`/tickets/${ticket.id}/comments`, { body: NOTE, internal: true });
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({ body: NOTE, internal: true, author: bob.username });

      const agentView = await read(gw.agent, ticket.id);
      expect(agentView.comments.map((c) => [c.body, c.internal])).toEqual([[NOTE, true]]);
      expect(agentView.history.map((entry) => entry.action)).toContain('noted');

      // Every way a reseller user reads tickets.
      for (const client of [admin.client, user.client]) {
        expect(await read(client, ticket.id)).toEqual(before);
        const listed = await client.get<{ items: Ticket[] }>('/tickets', { query: { limit: 100 } });
        const same = listed.body.items.find((item) => item.id === ticket.id)!;
        expect(same).toEqual(before);
        const searched = await client.get<{ items: Ticket[] }>('/tickets', { query: { q: 'unknown number' } });
        expect(JSON.stringify(searched.body)).not.toContain('unknown number');
      }
    });

    it('shows a reply to the reseller, who answers it', async () => {
      const reply = await bob.client.post(`/tickets/${ticket.id}/comments`, { body: REPLY });
      expect(reply.body).toMatchObject({ body: REPLY, internal: false });
      const answer = await admin.client.post(`/tickets/${ticket.id}/comments`, { body: 'Everyone, please.' });
      expect(answer.status).toBe(201);
      const seen = await read(admin.client, ticket.id);
      expect(seen.comments.map((c) => c.body)).toEqual([REPLY, 'Everyone, please.']);
      expect(JSON.stringify(seen)).not.toContain(NOTE);
      expect((await read(gw.agent, ticket.id)).comments.map((c) => c.body)).toEqual([NOTE, REPLY, 'Everyone, please.']);
    });

    it("refuses a reseller user's internal note (403) and a bad internal (400), and nothing changes", async () => {
      const before = await read(gw.agent, ticket.id);
      expectError(
        await admin.client.post(`/tickets/${ticket.id}/comments`, { body: 'psst', internal: true }),
        403,
        'forbidden',
      );
      expectError(
        await bob.client.post(`/tickets/${ticket.id}/comments`, { body: 'psst', internal: 'yes' }),
        400,
        'validation_failed',
      );
      expect(await read(gw.agent, ticket.id)).toEqual(before);
    });

    it('takes no more replies from the reseller once the ticket is decided (409), an agent may still write', async () => {
      const decided = await openTicket(user.client, { type: 'general', subject: 'Decided soon' });
      await gw.agent.post(`/tickets/${decided.id}/reject`, { reason: 'Not possible' });
      const before = await read(gw.agent, decided.id);
      expectError(
        await user.client.post(`/tickets/${decided.id}/comments`, { body: 'But why?' }),
        409,
        'ticket_not_open',
      );
      expect(await read(gw.agent, decided.id)).toEqual(before);
      expect((await bob.client.post(`/tickets/${decided.id}/comments`, { body: 'Because.' })).status).toBe(201);
    });

    it('never lets a note sent at the same time as replies reach the reseller', async () => {
      const busy = await openTicket(user.client, { type: 'general', subject: 'Busy ticket' });
      const secret = `secret-${unique()}`;
      await Promise.all([
        bob.client.post(`/tickets/${busy.id}/comments`, { body: `${secret} one`, internal: true }),
        user.client.post(`/tickets/${busy.id}/comments`, { body: 'hello' }),
        gw.agent.post(`/tickets/${busy.id}/comments`, { body: `${secret} two`, internal: true }),
        gw.agent.post(`/tickets/${busy.id}/comments`, { body: 'a reply' }),
      ]);
      const seen = await read(user.client, busy.id);
      expect(seen.comments.map((c) => c.body).sort()).toEqual(['a reply', 'hello']);
      expect(JSON.stringify(seen)).not.toContain(secret);
      expect((await read(gw.agent, busy.id)).comments).toHaveLength(4);
    });
  });

  describe('deciding', () => {
    it("refuses an agent's approval of their own ticket with 403 own_ticket", async () => {
      const own = await openTicket(bob.client, { type: 'general', subject: 'Mine', resellerId: bluewave.id });
      expectError(await bob.client.post(`/tickets/${own.id}/approve`, {}), 403, 'own_ticket');
      expect((await read(gw.agent, own.id)).status).toBe('open');
    });

    it('lets exactly one of two agents approving at once win; the other gets 409 naming the status', async () => {
      const contested = await openTicket(user.client, { type: 'general', subject: 'Contested' });
      const answers = await Promise.all([
        gw.agent.post(`/tickets/${contested.id}/approve`, { note: 'Mine' }),
        bob.client.post(`/tickets/${contested.id}/approve`, { note: 'No, mine' }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const loser = answers.find((a) => a.status === 409)!;
      expectError(loser, 409, 'invalid_transition');
      const after = await read(gw.agent, contested.id);
      expect(after.history.filter((entry) => entry.action === 'approved')).toHaveLength(1);
    });
  });
});
