import type { NextRequest } from 'next/server';

// Forwards /api/* to the API server with the visitor's address in
// X-Forwarded-For, which Next's rewrites leave out: without it every visitor
// would reach the API as this machine, and per-network limits and bans would
// count them all as one. The address is the one the web server (server.ts)
// took from the socket, never one the visitor sent. API_URL is read at run time.
const apiUrl = () => process.env.API_URL ?? 'http://127.0.0.1:9000';

/** Request headers the API reads; hop-by-hop and host headers stay behind. */
const FORWARDED = ['accept', 'content-type', 'cookie', 'user-agent', 'x-chatpop-csrf', 'stripe-signature', 'accept-language'];

export const dynamic = 'force-dynamic';

/** `CLIENT_ADDRESS_SET` of src/server/client-address.ts (one symbol, by its global key). */
const clientAddressSet = () => (globalThis as Record<symbol, unknown>)[Symbol.for('chatpop.web.client-address-set')] === true;

/** The dev outbox answers only requests made on the API's own machine; relayed, it would answer everyone. */
function isDevPath(pathname: string): boolean {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // undecodable: checked as it is
  }
  return /^\/api\/+dev(?:\/|$)/i.test(decoded);
}

async function forward(req: NextRequest): Promise<Response> {
  const url = new URL(req.url);
  if (isDevPath(url.pathname)) {
    return Response.json({ error: { code: 'NOT_FOUND', message: `There is nothing at ${req.method} ${url.pathname}.` } }, { status: 404 });
  }
  const target = `${apiUrl()}${url.pathname}${url.search}`;
  const headers = new Headers();
  for (const name of FORWARDED) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // Only once server.ts has set it from the socket (src/server/client-address.ts):
  // under a bare `next start` the header is whatever the visitor wrote.
  const forwardedFor = clientAddressSet() ? req.headers.get('x-forwarded-for') : null;
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers,
      body: hasBody ? await req.arrayBuffer() : undefined,
      redirect: 'manual',
      cache: 'no-store',
    });
  } catch {
    return Response.json(
      { error: { code: 'INTERNAL', message: 'The ChatPop server is not reachable. Try again in a moment.' } },
      { status: 502 },
    );
  }
  const out = new Headers();
  upstream.headers.forEach((value, name) => {
    if (name === 'set-cookie' || name === 'content-encoding' || name === 'content-length' || name === 'transfer-encoding' || name === 'connection') return;
    out.set(name, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) out.append('set-cookie', cookie);
  const empty = upstream.status === 204 || upstream.status === 304 || req.method === 'HEAD';
  return new Response(empty ? null : upstream.body, { status: upstream.status, headers: out });
}

export const GET = forward;
export const POST = forward;
export const PATCH = forward;
export const PUT = forward;
export const DELETE = forward;
export const HEAD = forward;
