import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import nodemailer, { type Transporter } from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Outgoing email (password resets, security notices). By default mail goes to
 * the server log (and the dev outbox); with SMTP_URL set it goes out through
 * that server (`nodemailer`). Tests fake only the SMTP server itself.
 */
export interface Mailer {
  readonly kind: 'log' | 'smtp';
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

export interface OutboxMail extends Mail {
  id: string;
  sentAt: string;
}

const OUTBOX_SIZE = 100;
const LINK = /https?:\/\/[^\s<>"]+/g;

/** The last mails this process sent, newest first, for the dev outbox (modules/dev). */
export class Outbox {
  private mails: OutboxMail[] = [];

  record(mail: Mail) {
    this.mails.unshift({ ...mail, id: randomUUID(), sentAt: new Date().toISOString() });
    this.mails.length = Math.min(this.mails.length, OUTBOX_SIZE);
  }

  list(): OutboxMail[] {
    return [...this.mails];
  }
}

export class LogMailer implements Mailer {
  readonly kind = 'log' as const;

  constructor(private readonly log: FastifyBaseLogger) {}

  /**
   * Without SMTP the log is the mailbox: the person at the machine confirms
   * their email (or resets a password) from the link printed here, in the
   * message itself, where a terminal makes it clickable.
   */
  async send(mail: Mail) {
    const links = mail.text.match(LINK) ?? [];
    const open = links.length > 0 ? ` Open ${links.join(' or ')} `: '';
    this.log.info({ mail: { to: mail.to, subject: mail.subject }, links }, `Mail to ${mail.to} (not sent: no SMTP_URL): "${mail.subject}".${open}`);
  }

  async close() {}
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(mail: Mail) {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  async close() {
    this.transport.close();
  }
}

/** Keeps a copy of every mail in the outbox, then sends it as the inner mailer does. */
export class RecordingMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    readonly outbox: Outbox,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  async send(mail: Mail) {
    this.outbox.record(mail);
    await this.inner.send(mail);
  }

  close() {
    return this.inner.close();
  }
}
