import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { newTestDatabase, type TestDatabase } from '../../libs/persistence/src/testing';
import { AuditEvents, type AuditEntry } from '../../apps/auth/src/audit/audit-events';
import { AuditLog } from '../../apps/auth/src/audit/audit-log';
import { authEntities } from '../../apps/auth/src/entities';
import { authMigrations } from '../../apps/auth/src/migrations';
import type { MailSender, OutgoingMail } from '../../apps/auth/src/notifications/mail-sender';
import { SECURITY_MAIL_EVENTS } from '../../apps/auth/src/notifications/security-mail-events';
import { SecurityMailOutbox } from '../../apps/auth/src/notifications/security-mail-outbox';
import { SecurityMailRelay } from '../../apps/auth/src/notifications/security-mail.relay';

/** A relay that records what it was handed; `failWith` makes the next sends fail as SMTP would. */
class FakeSender implements MailSender {
  readonly description = 'smtp://fake:25';
  sent: OutgoingMail[] = [];
  failWith: Error | null = null;

  async send(mail: OutgoingMail): Promise<void> {
    await new Promise((done) => setTimeout(done, 5));
    if (this.failWith) throw this.failWith;
    this.sent.push(mail);
  }

  close(): void {}
}

const smtpError = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

/** The outbox the audit log fills by itself, and the relay that empties it, against PostgreSQL. */
describe('security mail: the audit trigger and the relay', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let audit: AuditLog;
  let outbox: SecurityMailOutbox;
  let sender: FakeSender;

  const relay = (using: MailSender | null = sender) =>
    new SecurityMailRelay(dataSource, outbox, using, { TOTP_ISSUER: 'PBX Dashboard', OUTBOX_POLL_MS: 500 });
  /** The fake relay, refusing mail to one address with an SMTP error. */
  const refusingFor = (address: string, error: Error): MailSender => ({
    description: 'smtp://fake:25',
    close: () => undefined,
    send: async (mail) => {
      if (mail.to === address) throw error;
      await sender.send(mail);
    },
  });
  const sql = (text: string, params: unknown[] = []) => dataSource.query(text, params);
  const waiting = async () =>
    Number((await sql('SELECT count(*) AS n FROM security_mail_outbox WHERE done_at IS NULL'))[0].n);

  beforeAll(async () => {
    database = newTestDatabase('security_mail');
    dataSource = await openServiceDatabase({
      url: database.url,
      schema: 'auth',
      entities: [...authEntities, OutboxMessage, InboxEntry],
      migrations: authMigrations,
    });
    audit = new AuditLog(dataSource);
    outbox = new SecurityMailOutbox(dataSource);
    await outbox.registerEvents(SECURITY_MAIL_EVENTS);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await sql('TRUNCATE security_mail_outbox, audit_log');
    sender = new FakeSender();
  });

  async function newUser(email: string | null = `${randomUUID().slice(0, 8)}@example.com`) {
    const id = randomUUID();
    const username = `user-${id.slice(0, 8)}`;
    await sql(
      `INSERT INTO users (id, username, password_hash, reseller_id, role, email) VALUES ($1, $2, 'x', 'acme', 'reseller_user', $3)`,
      [id, username, email],
    );
    return { id, username, resellerId: 'acme', email };
  }

  const entry = (user: { id: string; username: string }, event: AuditEntry['event']): AuditEntry => ({
    event,
    outcome: 'success',
    userId: user.id,
    username: user.username,
    clientIp: '198.51.100.7',
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  });

  describe('the trigger', () => {
    it('queues one mail for a notifiable event of a user with an email, in the transaction that writes the entry', async () => {
      const alice = await newUser();
      await audit.record(entry(alice, AuditEvents.TwoFactorDisabled));
      await dataSource
        .transaction(async (manager) => {
          await audit.record(entry(alice, AuditEvents.RecoveryCodesRegenerated), manager);
          throw new Error('the change failed');
        })
        .catch(() => undefined);
      expect(await sql('SELECT user_id FROM security_mail_outbox')).toEqual([{ user_id: alice.id }]);
    });

    it('queues nothing for a user without an email, for events that send no mail, or for entries without a user', async () => {
      const bob = await newUser(null);
      const carol = await newUser();
      await audit.record(entry(bob, AuditEvents.TwoFactorDisabled));
      await audit.record(entry(carol, AuditEvents.Login));
      await audit.record(entry(carol, AuditEvents.SecondFactorRejected));
      await audit.record({ event: AuditEvents.SecondFactorLocked, outcome: 'locked', username: 'nobody' });
      expect(await waiting()).toBe(0);
    });

    it('queues for exactly the registered events: one more is one more name', async () => {
      const dave = await newUser();
      await audit.record(entry(dave, 'passkey.registered'));
      await audit.record(entry(dave, 'something.else' as AuditEntry['event']));
      expect(await waiting()).toBe(1);
      await outbox.registerEvents([...SECURITY_MAIL_EVENTS, 'something.else']);
      try {
        await audit.record(entry(dave, 'something.else' as AuditEntry['event']));
        expect(await waiting()).toBe(2);
      } finally {
        await outbox.registerEvents(SECURITY_MAIL_EVENTS);
      }
      await audit.record(entry(dave, 'something.else' as AuditEntry['event']));
      expect(await waiting()).toBe(2);
    });
  });

  describe('the relay', () => {
    it('sends each mail once, to the address the user has now, and marks it sent', async () => {
      const erin = await newUser();
      await audit.record(entry(erin, AuditEvents.TwoFactorActivated));
      await sql('UPDATE users SET email = $2 WHERE id = $1', [erin.id, 'erin.new@example.com']);
      await relay().sendDue();
      await relay().sendDue();
      expect(sender.sent.map((mail) => [mail.to, mail.subject])).toEqual([
        ['erin.new@example.com', 'PBX Dashboard: Google Authenticator was set up for your account'],
      ]);
      expect(sender.sent[0].text).toContain('198.51.100.7');
      expect(sender.sent[0].text).toContain('Chrome on Windows');
      expect(await sql('SELECT outcome, attempts FROM security_mail_outbox')).toEqual([
        { outcome: 'sent', attempts: 1 },
      ]);
    });

    it('sends each mail once when two replicas send at the same moment', async () => {
      const users = await Promise.all([1, 2, 3, 4, 5].map(() => newUser()));
      for (const user of users) {
        for (const event of [
          AuditEvents.TwoFactorActivated,
          AuditEvents.RecoveryCodeUsed,
          AuditEvents.TwoFactorDisabled,
        ])
          await audit.record(entry(user, event));
      }
      const replicas = [relay(), relay(), relay()];
      for (let round = 0; round < 5 && (await waiting()) > 0; round++) {
        await Promise.all(replicas.map((replica) => replica.sendDue()));
      }
      expect(await waiting()).toBe(0);
      expect(sender.sent).toHaveLength(15);
      expect(new Set(sender.sent.map((mail) => `${mail.to} ${mail.subject}`)).size).toBe(15);
    });

    it('keeps every mail while the SMTP relay cannot be reached, and sends each once when it is back', async () => {
      const frank = await newUser();
      await audit.record(entry(frank, AuditEvents.TwoFactorDisabled));
      await audit.record(entry(frank, AuditEvents.RecoveryCodesRegenerated));
      sender.failWith = smtpError('connect ECONNREFUSED 127.0.0.1:2525', { code: 'ESOCKET', command: 'CONN' });
      await expect(relay().sendDue()).rejects.toThrow('ECONNREFUSED');
      await expect(relay().sendDue()).rejects.toThrow('ECONNREFUSED');
      expect(await sql('SELECT attempts, last_error FROM security_mail_outbox ORDER BY audit_id')).toEqual([
        { attempts: 2, last_error: 'connect ECONNREFUSED 127.0.0.1:2525' },
        { attempts: 0, last_error: null },
      ]);
      sender.failWith = null;
      await relay().sendDue();
      expect(sender.sent.map((mail) => mail.subject)).toEqual([
        'PBX Dashboard: Two-factor authentication was turned off for your account',
        'PBX Dashboard: New recovery codes were created for your account',
      ]);
      expect(await waiting()).toBe(0);
    });

    it('gives up on a mail the relay refuses for good, and goes on with the others', async () => {
      const grace = await newUser('no-such-mailbox@example.com');
      const hank = await newUser();
      await audit.record(entry(grace, AuditEvents.TwoFactorDisabled));
      await audit.record(entry(hank, AuditEvents.TwoFactorDisabled));
      const refusing = refusingFor(
        grace.email!,
        smtpError('550 no such user', { responseCode: 550, command: 'RCPT TO' }),
      );
      await relay(refusing).sendDue();
      await relay(refusing).sendDue();
      expect(sender.sent.map((mail) => mail.to)).toEqual([hank.email]);
      expect(await sql('SELECT outcome FROM security_mail_outbox ORDER BY audit_id')).toEqual([
        { outcome: 'rejected' },
        { outcome: 'sent' },
      ]);
    });

    it('retries a mail the relay defers later, without holding up the others', async () => {
      const ivy = await newUser();
      const jack = await newUser();
      await audit.record(entry(ivy, AuditEvents.TwoFactorDisabled));
      await audit.record(entry(jack, AuditEvents.TwoFactorDisabled));
      const deferring = refusingFor(
        ivy.email!,
        smtpError('452 mailbox full', { responseCode: 452, command: 'RCPT TO' }),
      );
      await relay(deferring).sendDue();
      expect(sender.sent.map((mail) => mail.to)).toEqual([jack.email]);
      const [deferred] = await sql(
        "SELECT next_attempt_at > now() + interval '30 seconds' AS later, done_at FROM security_mail_outbox WHERE user_id = $1",
        [ivy.id],
      );
      expect(deferred).toEqual({ later: true, done_at: null });
      await sql('UPDATE security_mail_outbox SET next_attempt_at = now()');
      await relay().sendDue();
      expect(sender.sent.map((mail) => mail.to)).toEqual([jack.email, ivy.email]);
    });

    it('sends nothing to a user whose email was removed, nor about an event more than a week old', async () => {
      const kim = await newUser();
      const lou = await newUser();
      await audit.record(entry(kim, AuditEvents.TwoFactorDisabled));
      await audit.record(entry(lou, AuditEvents.TwoFactorDisabled));
      await sql('UPDATE users SET email = NULL WHERE id = $1', [kim.id]);
      await sql("UPDATE security_mail_outbox SET queued_at = now() - interval '8 days' WHERE user_id = $1", [lou.id]);
      await relay().sendDue();
      expect(sender.sent).toEqual([]);
      expect(await sql('SELECT user_id, outcome FROM security_mail_outbox ORDER BY audit_id')).toEqual([
        { user_id: kim.id, outcome: 'skipped' },
        { user_id: lou.id, outcome: null },
      ]);
    });

    it('does nothing with mail off, and says so once at start', async () => {
      const mo = await newUser();
      await audit.record(entry(mo, AuditEvents.TwoFactorDisabled));
      const off = relay(null);
      const warn = jest
        .spyOn((off as unknown as { logger: { warn: (line: string) => void } }).logger, 'warn')
        .mockImplementation(() => undefined);
      let warnings: unknown[][];
      try {
        await off.onApplicationBootstrap();
        await off.sendDue();
        warnings = [...warn.mock.calls];
      } finally {
        warn.mockRestore();
      }
      expect(warnings).toEqual([[expect.stringMatching(/^Security mail is off: SMTP_URL is not set/)]]);
      expect(await waiting()).toBe(1);
    });
  });
});
