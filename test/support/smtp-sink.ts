import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './stack';

/** One mail as the SMTP server received it. */
export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The whole message as it came over the wire, headers included. */
  raw: string;
}

/**
 * A real SMTP server on this machine that keeps what it receives: what a mail relay is to the
 * gateway. It can be stopped and started again on the same port, as a relay that goes down.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort());
    await sink.start();
    return sink;
  }

  /** What SMTP_URL says to reach it. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) throw new Error('the SMTP server is already running');
    const server = new SMTPServer({
      authOptional: true,
      // Plain SMTP on the loopback: its built-in certificate would not be trusted anyway.
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              this.received.push({
                to: session.envelope.rcptTo.map((recipient) => recipient.address),
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                raw,
              });
              done();
            })
            .catch((error: Error) => done(error));
        });
      },
    });
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(this.port, '127.0.0.1', () => listening());
    });
    this.server = server;
  }

  /** Stops taking connections (the relay is down); `start` brings it back on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((closed) => server.close(() => closed()));
  }

  /** The mails sent to one address, oldest first. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(address));
  }
}
