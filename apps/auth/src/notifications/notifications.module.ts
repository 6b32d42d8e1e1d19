import { Module } from '@nestjs/common';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { MAIL_SENDER, SmtpMailSender } from './mail-sender';
import { SecurityMailOutbox } from './security-mail-outbox';
import { SecurityMailRelay } from './security-mail.relay';

/** Security mail: queued by the audit log's trigger, sent by the relay when SMTP_URL is set. */
@Module({
  providers: [
    {
      provide: MAIL_SENDER,
      inject: [AUTH_CONFIG],
      useFactory: (config: AuthConfig) =>
        config.mail ? new SmtpMailSender(config.mail.smtpUrl, config.mail.from) : null,
    },
    SecurityMailOutbox,
    SecurityMailRelay,
  ],
})
export class NotificationsModule {}
