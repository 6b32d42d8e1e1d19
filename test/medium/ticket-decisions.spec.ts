import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCodes, Events, type Actor, type TicketType, type TicketView } from '@pbx2fa/contracts';
import { OutboxWriter, type OutboxRelay } from '@pbx2fa/messaging';
import { ApprovalSequenceRepository } from '../../apps/tickets/src/tickets/approval-sequence.repository';
import { TicketActivityRepository } from '../../apps/tickets/src/tickets/ticket-activity.repository';
import { TicketDecisionsService } from '../../apps/tickets/src/tickets/ticket-decisions.service';
import { TicketRepository } from '../../apps/tickets/src/tickets/ticket.repository';
import { TicketsService } from '../../apps/tickets/src/tickets/tickets.service';
import { openMediumDatabase, type MediumDatabase } from './support/databases';
import { capturedLogs } from './support/fake-delivery';

const person = (username: string, role: Actor['role'], resellerId: string | null): Actor => ({
  userId: randomUUID(),
  username,
  role,
  resellerId,
});
const alice = person('alice', 'reseller_user', 'acme');
const ada = person('ada', 'reseller_admin', 'acme');
const smith = person('agent-smith', 'agent', null);
const jones = person('agent-jones', 'agent', null);
const gus = person('gus', 'reseller_admin', 'globex');

interface OutboxRow {
  eventName: string;
  envelope: { eventId: string; name: string; correlationId: string; payload: Record<string, unknown> };
}

describe('TicketDecisionsService against PostgreSQL', () => {
  let db: MediumDatabase;
  let dataSource: DataSource;
  let other: DataSource;
  let decisions: TicketDecisionsService;
  let tickets: TicketsService;
  let logs: ReturnType<typeof capturedLogs>;
  /** What another connection saw in the outbox each time the relay was kicked. */
  let seenAtKick: Promise<unknown[]>[];

  beforeAll(async () => {
    db = await openMediumDatabase('tickets', 'decisions');
    dataSource = db.dataSource;
    other = await db.another();
  });

  afterAll(() => db?.close());

  beforeEach(async () => {
    logs = capturedLogs();
    seenAtKick = [];
    const relay = {
      kick: () => seenAtKick.push(other.query('SELECT event_id FROM outbox')),
    } as unknown as OutboxRelay;
    const repository = new TicketRepository(dataSource);
    const activity = new TicketActivityRepository(dataSource);
    tickets = new TicketsService(dataSource, repository, activity);
    decisions = new TicketDecisionsService(
      dataSource,
      repository,
      activity,
      tickets,
      new OutboxWriter(),
      relay,
      new ApprovalSequenceRepository(),
    );
    await dataSource.query('TRUNCATE tickets, ticket_comments, ticket_history, outbox, approval_sequences CASCADE');
  });

  afterEach(() => logs.restore());

  const open = (by: Actor, type: TicketType, extra: Record<string, unknown> = {}) =>
    tickets.create(by, { type, ...extra });

  const outbox = (): Promise<OutboxRow[]> =>
    dataSource.query('SELECT event_name AS "eventName", envelope FROM outbox ORDER BY position');

  /** The ticket as its opener reads it now. */
  const reread = (ticket: TicketView, by: Actor = smith) => tickets.get(by, { id: ticket.id });
  const historyOf = (view: TicketView) =>
    view.history.map(({ actor, action, fromStatus, toStatus, note }) => ({
      actor,
      action,
      fromStatus,
      toStatus,
      note,
    }));

  async function refusal(work: Promise<unknown>): Promise<DomainError> {
    try {
      await work;
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  }

  describe('approving', () => {
    it('approves a request to turn 2FA on and announces it in the same transaction, then kicks the relay', async () => {
      const ticket = await open(alice, 'enable_2fa');
      const approved = await decisions.approve(smith, { ticketId: ticket.id, note: '  ok  ' }, 'corr-approve');
      expect(approved).toMatchObject({ status: 'approved', decidedBy: 'agent-smith', resolution: null });
      expect(approved.decidedAt).not.toBeNull();
      expect(historyOf(approved)).toEqual([
        { actor: 'alice', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
        { actor: 'agent-smith', action: 'approved', fromStatus: 'open', toStatus: 'approved', note: 'ok' },
      ]);
      expect(await reread(ticket)).toEqual(approved);
      const [row, ...more] = await outbox();
      expect(more).toEqual([]);
      expect(row.eventName).toBe(Events.TicketTwoFactorApproved);
      expect(row.envelope).toMatchObject({
        name: Events.TicketTwoFactorApproved,
        correlationId: 'corr-approve',
        payload: {
          ticketId: ticket.id,
          resellerId: 'acme',
          action: 'enable',
          approvedBy: 'agent-smith',
          sequence: 1,
        },
      });
      expect(Date.parse(row.envelope.payload.approvedAt as string)).not.toBeNaN();
      // The relay is asked to publish once the approval has committed: another connection sees it then.
      expect(seenAtKick).toHaveLength(1);
      expect(await seenAtKick[0]).toEqual([{ event_id: row.envelope.eventId }]);
    });

    it('announces a request to turn 2FA off as "disable", numbering each reseller’s approvals 1, 2, 3 on its own', async () => {
      const first = await open(ada, 'disable_2fa');
      const second = await open(ada, 'enable_2fa');
      const elsewhere = await open(gus, 'enable_2fa');
      await decisions.approve(smith, { ticketId: first.id }, 'c1');
      await decisions.approve(smith, { ticketId: elsewhere.id }, 'c2');
      await decisions.approve(jones, { ticketId: second.id }, 'c3');
      expect((await outbox()).map((row) => row.envelope.payload)).toMatchObject([
        { ticketId: first.id, resellerId: 'acme', action: 'disable', approvedBy: 'agent-smith', sequence: 1 },
        { ticketId: elsewhere.id, resellerId: 'globex', action: 'enable', sequence: 1 },
        { ticketId: second.id, resellerId: 'acme', action: 'enable', approvedBy: 'agent-jones', sequence: 2 },
      ]);
    });

    it('announces an approved reset of a user’s 2FA with the user to reset', async () => {
      const ticket = await open(ada, 'reset_user_2fa', { targetUsername: 'alice' });
      const approved = await decisions.approve(jones, { ticketId: ticket.id }, 'corr-reset');
      expect(approved.status).toBe('approved');
      const [row] = await outbox();
      expect(row.eventName).toBe(Events.TicketUserTwoFactorResetApproved);
      expect(row.envelope.payload).toEqual({
        ticketId: ticket.id,
        resellerId: 'acme',
        approvedBy: 'agent-jones',
        targetUsername: 'alice',
      });
      expect(row.envelope.correlationId).toBe('corr-reset');
      expect(seenAtKick).toHaveLength(1);
    });

    it('settles a general request by approving it: resolved at once, with the note or who handled it', async () => {
      const quiet = await open(alice, 'general');
      const handled = await decisions.approve(smith, { ticketId: quiet.id }, 'c');
      expect(handled).toMatchObject({
        status: 'resolved',
        decidedBy: 'agent-smith',
        resolution: 'Handled by agent-smith.',
      });
      expect(historyOf(handled).slice(1)).toEqual([
        { actor: 'agent-smith', action: 'approved', fromStatus: 'open', toStatus: 'approved', note: null },
        {
          actor: 'agent-smith',
          action: 'resolved',
          fromStatus: 'approved',
          toStatus: 'resolved',
          note: 'Handled by agent-smith.',
        },
      ]);
      const noted = await open(alice, 'general');
      expect(await decisions.approve(smith, { ticketId: noted.id, note: 'Done: see the guide.' }, 'c')).toMatchObject({
        status: 'resolved',
        resolution: 'Done: see the guide.',
      });
      expect(await outbox()).toEqual([]);
      expect(seenAtKick).toEqual([]);
    });

    it('lets exactly one of two agents approving one ticket at once succeed; the other hears 409', async () => {
      const ticket = await open(alice, 'enable_2fa');
      const outcomes = await Promise.allSettled([
        decisions.approve(smith, { ticketId: ticket.id }, 'c1'),
        decisions.approve(jones, { ticketId: ticket.id }, 'c2'),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const [failed] = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(failed.reason).toMatchObject({
        statusCode: 409,
        code: ErrorCodes.InvalidTransition,
      });
      expect(await outbox()).toHaveLength(1);
      expect((await reread(ticket)).history).toHaveLength(2);
    });

    it.each([
      ['nobody signed in', undefined, 401, ErrorCodes.Unauthorized],
      ['a reseller user', alice, 403, ErrorCodes.Forbidden],
      ['a reseller admin', ada, 403, ErrorCodes.Forbidden],
    ])('refuses %s, changing nothing', async (_who, caller, status, code) => {
      const ticket = await open(alice, 'enable_2fa');
      expect(await refusal(decisions.approve(caller, { ticketId: ticket.id }, 'c'))).toMatchObject({
        statusCode: status,
        code,
      });
      expect(await reread(ticket)).toEqual(ticket);
      expect(await outbox()).toEqual([]);
    });

    it('refuses the agent who opened the ticket (four eyes), changing nothing', async () => {
      const ticket = await open(smith, 'enable_2fa', { resellerId: 'acme' });
      expect(await refusal(decisions.approve(smith, { ticketId: ticket.id }, 'c'))).toMatchObject({
        statusCode: 403,
        code: ErrorCodes.OwnTicket,
      });
      expect(await reread(ticket)).toEqual(ticket);
      expect(await decisions.approve(jones, { ticketId: ticket.id }, 'c')).toMatchObject({ status: 'approved' });
    });

    it('refuses a ticket that is not open any more with 409, changing nothing', async () => {
      const ticket = await open(alice, 'enable_2fa');
      await decisions.approve(smith, { ticketId: ticket.id }, 'c');
      const before = await reread(ticket);
      expect(await refusal(decisions.approve(jones, { ticketId: ticket.id }, 'c'))).toMatchObject({
        statusCode: 409,
        message: 'This ticket is approved; only an open ticket can be approved.',
      });
      expect(await reread(ticket)).toEqual(before);
      expect(await outbox()).toHaveLength(1);
    });

    it('answers 404 for a ticket that does not exist, and 400 for what is not a ticket id', async () => {
      expect(await refusal(decisions.approve(smith, { ticketId: randomUUID() }, 'c'))).toMatchObject({
        statusCode: 404,
        code: ErrorCodes.TicketNotFound,
      });
      expect(await refusal(decisions.approve(smith, { ticketId: 'nope' }, 'c'))).toMatchObject({
        statusCode: 400,
        code: ErrorCodes.InvalidId,
      });
      const ticket = await open(alice, 'general');
      expect(await refusal(decisions.approve(smith, { ticketId: ticket.id, note: 42 }, 'c'))).toMatchObject({
        statusCode: 400,
      });
      expect(await reread(ticket)).toEqual(ticket);
    });
  });

  describe('rejecting', () => {
    it('rejects an open ticket with the reason, which becomes its resolution', async () => {
      const ticket = await open(alice, 'enable_2fa');
      const rejected = await decisions.reject(smith, { ticketId: ticket.id, reason: ' Not for this plan. ' });
      expect(rejected).toMatchObject({
        status: 'rejected',
        decidedBy: 'agent-smith',
        resolution: 'Not for this plan.',
      });
      expect(rejected.decidedAt).not.toBeNull();
      expect(historyOf(rejected)[1]).toEqual({
        actor: 'agent-smith',
        action: 'rejected',
        fromStatus: 'open',
        toStatus: 'rejected',
        note: 'Not for this plan.',
      });
      expect(await reread(ticket)).toEqual(rejected);
      expect(await outbox()).toEqual([]);
      expect(seenAtKick).toEqual([]);
    });

    it('lets an agent reject a ticket they opened themselves', async () => {
      const ticket = await open(smith, 'general', { resellerId: 'acme' });
      expect(await decisions.reject(smith, { ticketId: ticket.id, reason: 'Opened by mistake.' })).toMatchObject({
        status: 'rejected',
      });
    });

    it('refuses a rejection without a reason, by anyone but an agent, or of a decided ticket', async () => {
      const ticket = await open(alice, 'enable_2fa');
      expect(await refusal(decisions.reject(smith, { ticketId: ticket.id, reason: '  ' }))).toMatchObject({
        statusCode: 400,
        code: ErrorCodes.ValidationFailed,
      });
      expect(await refusal(decisions.reject(ada, { ticketId: ticket.id, reason: 'no' }))).toMatchObject({
        statusCode: 403,
        message: 'Only a support agent can reject a ticket.',
      });
      expect(await refusal(decisions.reject(undefined, { ticketId: ticket.id, reason: 'no' }))).toMatchObject({
        statusCode: 401,
      });
      expect(await refusal(decisions.reject(smith, { ticketId: randomUUID(), reason: 'no' }))).toMatchObject({
        statusCode: 404,
      });
      expect(await reread(ticket)).toEqual(ticket);
      await decisions.approve(smith, { ticketId: ticket.id }, 'c');
      expect(await refusal(decisions.reject(jones, { ticketId: ticket.id, reason: 'too late' }))).toMatchObject({
        statusCode: 409,
      });
    });
  });

  describe('closing (the opener withdraws it)', () => {
    it('closes an open ticket for its opener, saying who withdrew it, without a decision', async () => {
      const ticket = await open(alice, 'enable_2fa');
      const closed = await decisions.close(alice, { ticketId: ticket.id });
      expect(closed).toMatchObject({
        status: 'closed',
        decidedBy: null,
        decidedAt: null,
        resolution: 'Withdrawn by alice.',
      });
      expect(historyOf(closed)[1]).toEqual({
        actor: 'alice',
        action: 'closed',
        fromStatus: 'open',
        toStatus: 'closed',
        note: null,
      });
      expect(await reread(ticket, alice)).toEqual(closed);
    });

    it('refuses anyone but the opener, another reseller’s users as if the ticket did not exist, and a decided ticket', async () => {
      const ticket = await open(alice, 'enable_2fa');
      expect(await refusal(decisions.close(ada, { ticketId: ticket.id }))).toMatchObject({ statusCode: 403 });
      expect(await refusal(decisions.close(smith, { ticketId: ticket.id }))).toMatchObject({ statusCode: 403 });
      expect(
        await refusal(decisions.close(person('alice', 'reseller_user', 'globex'), { ticketId: ticket.id })),
      ).toMatchObject({ statusCode: 404, code: ErrorCodes.TicketNotFound });
      expect(await refusal(decisions.close(undefined, { ticketId: ticket.id }))).toMatchObject({ statusCode: 401 });
      expect(await reread(ticket)).toEqual(ticket);
      await decisions.approve(smith, { ticketId: ticket.id }, 'c');
      expect(await refusal(decisions.close(alice, { ticketId: ticket.id }))).toMatchObject({
        statusCode: 409,
        message: 'This ticket is approved; only an open ticket can be closed.',
      });
    });
  });

  describe('resolving what another service reports done', () => {
    const inTransaction = <T>(work: (manager: import('typeorm').EntityManager) => Promise<T>) =>
      dataSource.transaction(work);

    it('resolves an approved 2FA ticket once its reseller’s setting changed, as the system', async () => {
      const ticket = await open(alice, 'enable_2fa');
      await decisions.approve(smith, { ticketId: ticket.id }, 'c');
      const change = { resellerId: 'acme', enabled: true, version: 2, sourceTicketId: ticket.id };
      await inTransaction((manager) => decisions.resolveResellerChange(manager, change));
      const resolved = await reread(ticket);
      expect(resolved).toMatchObject({
        status: 'resolved',
        decidedBy: 'agent-smith',
        resolution:
          'Two-factor authentication is now on for reseller acme: users may set it up, and whoever did is asked for it.',
      });
      expect(historyOf(resolved).at(-1)).toEqual({
        actor: 'system',
        action: 'resolved',
        fromStatus: 'approved',
        toStatus: 'resolved',
        note: 'Two-factor authentication is now on for reseller acme: users may set it up, and whoever did is asked for it.',
      });
      // A repeat changes nothing.
      await inTransaction((manager) => decisions.resolveResellerChange(manager, change));
      expect(await reread(ticket)).toEqual(resolved);
    });

    it('says "off" when the change turned 2FA off', async () => {
      const ticket = await open(ada, 'disable_2fa');
      await decisions.approve(smith, { ticketId: ticket.id }, 'c');
      await inTransaction((manager) =>
        decisions.resolveResellerChange(manager, {
          resellerId: 'acme',
          enabled: false,
          version: 3,
          sourceTicketId: ticket.id,
        }),
      );
      expect((await reread(ticket)).resolution).toBe('Two-factor authentication is now off for reseller acme.');
    });

    it('leaves tickets alone for a change that came from no ticket, another reseller, or another kind of ticket', async () => {
      const twoFactor = await open(alice, 'enable_2fa');
      const reset = await open(ada, 'reset_user_2fa', { targetUsername: 'alice' });
      const general = await open(alice, 'general');
      for (const ticket of [twoFactor, reset]) await decisions.approve(smith, { ticketId: ticket.id }, 'c');
      const before = await Promise.all([twoFactor, reset, general].map((ticket) => reread(ticket)));
      const change = (sourceTicketId: string | null, resellerId = 'acme') => ({
        resellerId,
        enabled: true,
        version: 5,
        sourceTicketId,
      });
      await inTransaction(async (manager) => {
        await decisions.resolveResellerChange(manager, change(null));
        await decisions.resolveResellerChange(manager, change(twoFactor.id, 'globex'));
        await decisions.resolveResellerChange(manager, change(reset.id));
        await decisions.resolveResellerChange(manager, change(general.id));
        await decisions.resolveResellerChange(manager, change(randomUUID()));
        await decisions.resolveUserReset(manager, { ticketId: twoFactor.id, resellerId: 'acme', username: 'alice' });
      });
      expect(await Promise.all([twoFactor, reset, general].map((ticket) => reread(ticket)))).toEqual(before);
      expect(logs.lines.map((line) => line.message)).toEqual(
        expect.arrayContaining([
          '2FA change of reseller acme (version 5) came from no ticket; nothing to resolve',
          `no enable_2fa/require_2fa/disable_2fa ticket ${twoFactor.id} of reseller globex; nothing to resolve`,
          `no reset_user_2fa ticket ${twoFactor.id} of reseller acme; nothing to resolve`,
        ]),
      );
    });

    it('leaves a ticket that was never approved as it is', async () => {
      const ticket = await open(alice, 'enable_2fa');
      await inTransaction((manager) =>
        decisions.resolveResellerChange(manager, {
          resellerId: 'acme',
          enabled: true,
          version: 1,
          sourceTicketId: ticket.id,
        }),
      );
      expect(await reread(ticket)).toEqual(ticket);
      expect(logs.lines.map((line) => line.message)).toContain(
        `ticket ${ticket.id} is open, not approved; left as it is`,
      );
    });

    it('resolves an approved reset once the user’s 2FA was reset', async () => {
      const ticket = await open(ada, 'reset_user_2fa', { targetUsername: 'alice' });
      await decisions.approve(smith, { ticketId: ticket.id }, 'c');
      await inTransaction((manager) =>
        decisions.resolveUserReset(manager, { ticketId: ticket.id, resellerId: 'acme', username: 'alice' }),
      );
      const resolved = await reread(ticket);
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolution: 'Two-factor authentication was reset for user alice.',
      });
      expect(historyOf(resolved).at(-1)).toMatchObject({ actor: 'system', action: 'resolved' });
    });
  });
});
