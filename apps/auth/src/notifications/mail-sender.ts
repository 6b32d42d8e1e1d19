import { createTransport, type Transporter } from 'nodemailer';
import type { ComposedMail } from './security-mail.composer';

export const MAIL_SENDER = Symbol('MAIL_SENDER');

export interface OutgoingMail extends ComposedMail {
  to: string;
  /** The same for every try of one mail, so a mail client drops a repeat (one sent again after a crash). */
  messageId: string;
}

/** Hands a mail to an SMTP relay; resolves once the relay accepted it. */
export interface MailSender {
  /** Where mail goes, without credentials: for the log. */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * What a failed send means for that mail:
 * - `rejected`: the relay refused this message for good (5xx to its recipient or content), or it
 *   can never be sent as it is; trying it again would fail the same way;
 * - `deferred`: the relay refused this message for now (4xx to its recipient or content);
 * - `unreachable`: nothing could be sent (no connection, TLS, authentication, the sender
 *   refused): every mail waits, and the relay backs off.
 */
export type SendFailure = 'rejected' | 'deferred' | 'unreachable';

interface SmtpError {
  code?: string;
  command?: string;
  responseCode?: number;
}

export function classifySendFailure(error: unknown): SendFailure {
  const { code, command, responseCode } = (error ?? {}) as SmtpError;
  if (command === 'RCPT TO' || command === 'DATA') {
    if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return 'deferred';
    return 'rejected';
  }
  if (command === 'API' && code === 'EENVELOPE') return 'rejected';
  return 'unreachable';
}

/** A relay that does not answer is given up on in seconds, not nodemailer's default of minutes. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export class SmtpMailSender implements MailSender {
  readonly description: string;
  private readonly transport: Transporter;

  constructor(smtpUrl: string, from: string | { name: string; address: string }) {
    const url = new URL(smtpUrl);
    this.description = `${url.protocol}//${url.host}`;
    // A connection per mail (no pool): a relay that restarted is simply dialled again.
    this.transport = createTransport(
      { ...TIMEOUTS, url: smtpUrl, disableFileAccess: true, disableUrlAccess: true },
      { from },
    );
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    });
  }

  close(): void {
    this.transport.close();
  }
}
