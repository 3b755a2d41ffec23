import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import type { OutboxMail } from '../../infra/mailer';
import { AppError } from '../../errors';

/**
 * The dev outbox (registered only with `DEV_OUTBOX=true`): the mails this
 * process sent, reset and confirmation links included, so it is shown to the
 * person at this machine alone (`isFromThisMachine`); to anyone else the paths
 * do not exist. Docs: docs/security.md.
 */
export async function devRoutes(app: FastifyInstance) {
  const outbox = app.ctx.outbox;
  app.addHook('onRequest', async (req) => {
    if (!isFromThisMachine(req)) throw new AppError(404, 'NOT_FOUND', `There is nothing at ${req.method} ${req.url.split('?')[0]}.`);
  });
  app.get('/api/dev/outbox', async () => ({ mails: outbox?.list() ?? [] }));
  app.get('/dev/outbox', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(outboxPage(outbox?.list() ?? [])),
  );
}

const LOOPBACK_PEER = /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$|^::1$/;
const LOOPBACK_HOST = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d+)?$/;
/** Headers a proxy adds: a request that went through one came from somewhere else. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'x-real-ip', 'via'] as const;

/**
 * A request made on this machine, by the socket's own address (never a
 * forwarded one). A proxy on this machine — the web app's `/api`, or nginx —
 * also connects from loopback but speaks for someone else, and says so with a
 * forwarding header. The Host must name this machine too, so that a page of
 * another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) cannot
 * read it from the victim's own browser.
 */
export function isFromThisMachine(req: Pick<FastifyRequest, 'headers'> & { raw: { socket: { remoteAddress?: string } } }): boolean {
  if (!LOOPBACK_PEER.test(req.raw.socket.remoteAddress ?? '')) return false;
  if (FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined)) return false;
  return LOOPBACK_HOST.test((req.headers.host ?? '').toLowerCase());
}

const LOOPBACK_LISTEN = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;

/**
 * Said loudly at start-up: with the outbox on, a server reachable from other
 * machines holds everyone's reset links one misconfigured proxy away.
 */
export function devOutboxWarning(config: Pick<Config, 'devOutbox' | 'host'>): string | null {
  if (!config.devOutbox || LOOPBACK_LISTEN.test(config.host)) return null;
  return (
    `DEV_OUTBOX is on and the server listens on ${config.host}, beyond this machine. ` +
    'The outbox answers only requests made on this machine without a proxy, but it holds live password-reset links: ' +
    'turn it off (DEV_OUTBOX=false) on any server others can reach, and configure SMTP_URL.'
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function outboxPage(mails: OutboxMail[]): string {
  const items = mails
    .map((m) => {
      const text = m.text
        .split(/(https?:\/\/[^\s<>"]+)/g)
        .map((part, i) => (i % 2 === 1 ? `<a href="${escapeHtml(part)}">${escapeHtml(part)}</a>` : escapeHtml(part)))
        .join('');
      return `<li><h2>${escapeHtml(m.subject)}</h2><p>To ${escapeHtml(m.to)} · <time datetime="${m.sentAt}">${m.sentAt}</time></p><pre>${text}</pre></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>ChatPop dev outbox</title></head>
<body><h1>Dev outbox</h1><p>Mail this server sent while no SMTP server is configured, newest first. Shown on this machine only.</p>
${mails.length > 0 ? `<ol>${items}</ol>` : '<p>No mail yet.</p>'}
</body></html>`;
}
