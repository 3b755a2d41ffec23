import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';

/** Which hops' `X-Forwarded-For` to believe (`WEB_TRUST_PROXY`, read like the API's `TRUST_PROXY`). */
export type Trust = (address: string, hop: number) => boolean;

/**
 * `true` (every hop: only when a proxy is the one way in), `false` or unset
 * (none: visitors reach this server directly), or a comma-separated list of
 * proxy addresses, CIDRs or the keywords `loopback`, `linklocal`, `uniquelocal`.
 */
export function trustFrom(setting: string | undefined): Trust {
  const value = (setting ?? '').trim().toLowerCase();
  if (value === 'true' || value === '1') return () => true;
  if (value === '' || value === 'false' || value === '0') return () => false;
  return proxyaddr.compile(
    setting!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** What a visitor can say about where they are, and where they asked. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip'];
const PROXY_HEADERS = ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port'];

/**
 * Replaces whatever the request says about the visitor's address with what
 * this server knows: the socket's peer, or — through proxies it trusts — the
 * address the nearest untrusted hop was seen at. Everything after this (Next,
 * the `/api` relay) reads a single `X-Forwarded-For` it can pass on. A proxy's
 * `X-Forwarded-Host/Proto/Port` stay only when the peer is a trusted proxy.
 */
export function setClientAddress(req: IncomingMessage, trust: Trust): string {
  // An IPv4 visitor of a dual-stack socket is ::ffff:a.b.c.d: written as a.b.c.d, as the API sees them directly.
  const client = proxyaddr(req, trust).replace(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i, '$1');
  const peerTrusted = trust(req.socket.remoteAddress ?? '', 0);
  for (const name of FORWARDING_HEADERS) delete req.headers[name];
  if (!peerTrusted) for (const name of PROXY_HEADERS) delete req.headers[name];
  req.headers['x-forwarded-for'] = client;
  return client;
}

/**
 * Set by the web server (`server.ts`) once it sets `X-Forwarded-For` on every
 * request: the `/api` relay passes the header on only then, never what a
 * visitor sent to a bare `next start`.
 */
export const CLIENT_ADDRESS_SET = Symbol.for('chatpop.web.client-address-set');

export function markClientAddressSet() {
  (globalThis as Record<symbol, unknown>)[CLIENT_ADDRESS_SET] = true;
}
