import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { classifySendFailure, MAIL_SENDER, type MailSender } from './mail-sender';
import { SECURITY_MAIL_EVENTS } from './security-mail-events';
import { SecurityMailOutbox, type FinalOutcome, type WaitingMail } from './security-mail-outbox';
import { composeSecurityMail } from './security-mail.composer';

const BATCH_SIZE = 20;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A mail the relay deferred (4xx) waits 1, 2, 4 … minutes, at most an hour, before its next try. */
const deferredRetryMs = (attempts: number) => Math.min(3_600_000, 60_000 * 2 ** Math.min(attempts, 6));

export const securityMails = new Counter({
  name: 'pbx2fa_security_mails_total',
  help: 'Security mails by how they ended: sent, rejected (refused by the relay for good), skipped (the user has no email any more)',
  labelNames: ['outcome'] as const,
});

export const securityMailFailures = new Counter({
  name: 'pbx2fa_security_mail_failures_total',
  help: 'Failed tries to send a security mail: deferred (this mail, later), rejected (this mail, never), unreachable (the relay; every mail waits)',
  labelNames: ['reason'] as const,
});

/** One per event and user, whichever replica sends it and however often (an audit id alone repeats across installations). */
export const securityMailMessageId = (mail: Pick<WaitingMail, 'auditId' | 'userId'>) =>
  `<security-mail.${mail.auditId}.${mail.userId}@pbx2fa>`;

interface Round {
  locked: boolean;
  /** Mails taken from the outbox in this round, sent or not. */
  handled: number;
  /** Why the relay could not be reached: the round stopped there and the mails wait. */
  unreachable?: string;
}

class RelayUnreachable extends Error {}

/**
 * Sends the security mails the audit log's trigger queued (security-mail.migration.ts), on a timer:
 * a sign-in only ever writes a row, never waits for SMTP. One replica sends at a time (an advisory
 * lock held in the transaction that marks each mail), so a mail goes once; a crash between the
 * relay's acceptance and the commit sends it again, never not at all. While the relay cannot be
 * reached every mail waits, and tries come at growing intervals up to 30 s.
 */
@Injectable()
export class SecurityMailRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SecurityMailRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: SecurityMailOutbox,
    @Inject(MAIL_SENDER) private readonly sender: MailSender | null,
    @Inject(AUTH_CONFIG) private readonly config: Pick<AuthConfig, 'TOTP_ISSUER' | 'OUTBOX_POLL_MS'>,
  ) {
    for (const outcome of ['sent', 'rejected', 'skipped']) securityMails.inc({ outcome }, 0);
    for (const reason of ['deferred', 'rejected', 'unreachable']) securityMailFailures.inc({ reason }, 0);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.outbox.registerEvents(SECURITY_MAIL_EVENTS);
    if (!this.sender) {
      this.logger.warn(
        'Security mail is off: SMTP_URL is not set, so nobody is told when their account security changes.',
      );
      return;
    }
    this.logger.log(`Security mail is on: sent through ${this.sender.description}`);
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.sender?.close();
  }

  /** Sends every mail that is due, unless another replica is doing so; throws when the relay cannot be reached. */
  async sendDue(): Promise<void> {
    if (!this.sender) return;
    while (!this.stopped && (await this.outbox.hasDue())) {
      const round = await this.round(this.sender);
      if (round.unreachable) throw new RelayUnreachable(round.unreachable);
      if (!round.locked || round.handled < BATCH_SIZE) return;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
    this.timer.unref();
  }

  private run(): void {
    if (this.stopped || this.running) return;
    this.running = this.sendDue()
      .then(
        () => {
          if (this.failures > 0) this.logger.log('Security mail: the relay accepts mail again');
          this.failures = 0;
          this.schedule(this.config.OUTBOX_POLL_MS);
        },
        (error: Error) => {
          this.failures += 1;
          const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(this.failures - 1, 10));
          const what = error instanceof RelayUnreachable ? 'the mail relay could not be reached' : 'sending failed';
          this.logger.warn(`Security mail: ${what} (try ${this.failures}, next in ${backoff} ms): ${error.message}`);
          this.schedule(backoff);
        },
      )
      .finally(() => {
        this.running = null;
      });
  }

  private round(sender: MailSender): Promise<Round> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.outbox.lockRelay(manager))) return { locked: false, handled: 0 };
      const due = await this.outbox.due(manager, BATCH_SIZE);
      for (const [index, mail] of due.entries()) {
        const unreachable = await this.deliver(manager, sender, mail);
        if (unreachable) return { locked: true, handled: index + 1, unreachable };
      }
      return { locked: true, handled: due.length };
    });
  }

  /** Sends one mail and records how it went; answers the error when the relay itself could not be reached. */
  private async deliver(manager: EntityManager, sender: MailSender, mail: WaitingMail): Promise<string | null> {
    const composed = mail.email ? composeSecurityMail(mail, this.config.TOTP_ISSUER) : null;
    if (!mail.email || !composed) return this.finish(manager, mail, 'skipped');
    try {
      await sender.send({ to: mail.email, messageId: securityMailMessageId(mail), ...composed });
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const failure = classifySendFailure(error);
      securityMailFailures.inc({ reason: failure });
      if (failure === 'rejected') {
        this.logger.warn(`Security mail ${mail.auditId} (${mail.event}) was refused by the relay for good: ${message}`);
        return this.finish(manager, mail, 'rejected', message);
      }
      const retryInMs = failure === 'deferred' ? deferredRetryMs(mail.attempts) : 0;
      await this.outbox.deferred(manager, mail.auditId, message, retryInMs);
      if (failure === 'deferred') {
        this.logger.warn(`Security mail ${mail.auditId} (${mail.event}) was deferred by the relay: ${message}`);
        return null;
      }
      return message;
    }
    return this.finish(manager, mail, 'sent');
  }

  private async finish(
    manager: EntityManager,
    mail: WaitingMail,
    outcome: FinalOutcome,
    error?: string,
  ): Promise<null> {
    await this.outbox.finish(manager, mail.auditId, outcome, error);
    securityMails.inc({ outcome });
    return null;
  }
}
