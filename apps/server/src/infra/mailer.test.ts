import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { backend, registerUser, startApp, until, type TestApp } from '../../test/harness';

// SMTP is outside ChatPop: a real SMTP server in the test process stands in for it, reached through nodemailer as in production.

interface Received {
  from: string;
  to: string[];
  data: string;
}

let smtp: SMTPServer;
let smtpPort = 0;
const received: Received[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe(`mail through SMTP when configured (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'ChatPop <no-reply@chat.example>' } });
  });
  afterAll(async () => {
    await t.destroy();
  });

  it('sends the password reset link to the SMTP server, and keeps no dev outbox', async () => {
    const { user } = await registerUser(t);
    expect(t.app.ctx.mailer.kind).toBe('smtp');
    expect(t.app.ctx.outbox).toBeNull();
    expect((await t.client().post('/api/auth/password-reset', { email: user.email })).status).toBe(202);
    const isReset = (m: (typeof received)[number]) => m.to.includes(user.email) && /Subject: Reset your ChatPop password/.test(m.data);
    await until(() => received.some(isReset), 10_000, 'the mail');
    // The registration's confirmation link went out the same way.
    expect(received.some((m) => m.to.includes(user.email) && /Subject: Confirm your email/.test(m.data))).toBe(true);
    const mail = received.find(isReset)!;
    expect(mail.from).toBe('no-reply@chat.example');
    expect(mail.data).toMatch(/Subject: Reset your ChatPop password/);
    expect(mail.data.replace(/=\r?\n/g, '')).toMatch(/reset-password\?token=3D[A-Za-z0-9_-]{43}|reset-password\?token=[A-Za-z0-9_-]{43}/);
    expect((await fetch(`${t.url}/api/dev/outbox`)).status).toBe(404);
  });
});

describe('mail configuration', () => {
  const base = { DATA_DIR: 'memory://', JWT_SECRET: 'x'.repeat(64) };
  it('refuses an SMTP_URL that is not smtp:// or smtps://', () => {
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://mail.example' })).toThrow(/SMTP_URL must start with smtp/);
  });
});
