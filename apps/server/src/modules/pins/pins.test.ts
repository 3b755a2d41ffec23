import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, Payment, PinsUpdatedPayload } from '@chatpop/protocol';
import { pinnedKey } from '../messages/service';
import { call, collect, connectSocket, guestJoins, hostWithChat, startApp, until, type ClientSocket, type HttpClient, type TestApp } from '../../../test/harness';

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp({ env: { PAYMENTS_SWEEP_MS: '100' } });
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

let keyCounter = 0;
const key = () => `pin-${Date.now()}-${++keyCounter}`;

async function pinsChat(app: TestApp = t, extra: Record<string, unknown> = {}) {
  const host = await hostWithChat(app, { settings: { pins: { enabled: true, basePriceCents: 100 }, ...extra } });
  return { host, code: host.chat.code, roomId: host.chat.roomId };
}

const quoteOf = async (client: HttpClient, code: string) => (await client.get(`/api/chats/${code}/money`)).body.pins.quoteCents as number;

async function pinText(client: HttpClient, code: string, text: string, amountCents: number, quotedCents = amountCents): Promise<Payment> {
  const res = await client.post(`/api/chats/${code}/pins`, { text, amountCents, quotedCents, idempotencyKey: key() });
  if (res.status !== 201) throw new Error(`pin: ${res.status} ${JSON.stringify(res.body)}`);
  const ok = await client.post(`/api/payments/${res.body.payment.id}/confirm`, { outcome: 'succeed' });
  if (ok.status !== 200) throw new Error(`confirm: ${ok.status} ${JSON.stringify(ok.body)}`);
  return ok.body.payment;
}

async function listen(app: TestApp, token: string, roomId: string) {
  const s = await connectSocket(app.url, [token]);
  sockets.push(s);
  const joined = await call(s, 'room:join', { roomId, afterSeq: 0 });
  if (!joined.ok) throw new Error(joined.error.code);
  return s;
}

describe('paid pins', () => {
  it('quotes the base price, then the top pin plus the step; outbid pins stay, ordered by amount', async () => {
    const { code, roomId, host } = await pinsChat();
    const a = await guestJoins(t, code);
    const b = await guestJoins(t, code);
    const s = await listen(t, a.token, roomId);
    const updates = collect<PinsUpdatedPayload>(s, 'pins:updated');
    const messages = collect<Message>(s, 'message:new');
    expect(await quoteOf(a.client, code)).toBe(100);

    const first = await pinText(a.client, code, 'Ask me anything', 1_000, 100);
    expect(first).toMatchObject({ purpose: 'pin', status: 'succeeded', amountCents: 1_000 });
    await until(() => messages.some((m) => m.type === 'pin'), 3000, 'pin message');
    expect(messages.find((m) => m.type === 'pin')).toMatchObject({ content: 'Ask me anything', amountCents: 1_000 });
    expect(await quoteOf(a.client, code)).toBe(1_100);

    // Below the quote, or on an old quote: refused with the new price, nothing charged.
    const low = await b.client.post(`/api/chats/${code}/pins`, { text: 'me first', amountCents: 1_050, quotedCents: 1_050, idempotencyKey: key() });
    expect(low.status).toBe(409);
    expect(low.body.error).toMatchObject({ code: 'PIN_QUOTE_STALE', details: { quoteCents: 1_100 } });

    await pinText(b.client, code, 'Outbid!', 1_200, 1_100);
    await until(() => updates.some((u) => u.pins.length === 2), 3000, 'two pins');
    const state = (await t.client().get(`/api/chats/${code}/money`)).body.pins;
    expect(state.pins.map((p: { amountCents: number }) => p.amountCents)).toEqual([1_200, 1_000]);
    expect(state.pins[0].message.content).toBe('Outbid!');
    expect(state.quoteCents).toBe(1_320);
    const top = state.pins[0];
    const lasts = Date.parse(top.pinnedUntil) - Date.parse(top.pinnedAt);
    expect(lasts).toBe(600_000); // $12: ten minutes (SPEC §7)
    expect(updates[updates.length - 1]!.quoteCents).toBe(1_320);

    // The seed's pinned cache holds both, scored by pinned_until.
    const cached = await t.app.ctx.cache.pinned(pinnedKey(code));
    expect(cached.map((c) => c.message.content).sort()).toEqual(['Ask me anything', 'Outbid!']);
    expect(cached.find((c) => c.message.content === 'Outbid!')!.pinnedUntilMs).toBe(Date.parse(top.pinnedUntil));
    void host;
  });

  it('two bids on one quote: one wins, the other is told the new price', async () => {
    const { code } = await pinsChat();
    const bidders = [await guestJoins(t, code), await guestJoins(t, code), await guestJoins(t, code)];
    await pinText(bidders[0]!.client, code, 'standing pin', 500, 100);
    const quote = await quoteOf(bidders[0]!.client, code);
    expect(quote).toBe(600);
    const bids = await Promise.all(
      bidders.slice(1).map((b, i) => b.client.post(`/api/chats/${code}/pins`, { text: `bid ${i}`, amountCents: quote, quotedCents: quote, idempotencyKey: key() })),
    );
    expect(bids.map((r) => r.status).sort()).toEqual([201, 409]);
    const lost = bids.find((r) => r.status === 409)!;
    expect(lost.body.error).toMatchObject({ code: 'PIN_QUOTE_STALE', details: { quoteCents: 700 } });
    // The winner's pending pin holds the price; when it is declined, the price falls back.
    const won = bids.find((r) => r.status === 201)!;
    const winner = bidders[1 + bids.indexOf(won)]!;
    await winner.client.post(`/api/payments/${won.body.payment.id}/confirm`, { outcome: 'decline' });
    expect(await quoteOf(winner.client, code)).toBe(600);
  });

  it('pins one of your own messages; not someone else’s, not twice, not a missing one', async () => {
    const { code, roomId } = await pinsChat();
    const a = await guestJoins(t, code);
    const b = await guestJoins(t, code);
    const s = await listen(t, a.token, roomId);
    const sent = await call<{ message: Message }>(s, 'message:send', { roomId, clientId: `c${crypto.randomUUID().replaceAll('-', '')}`, content: 'pin me please' });
    if (!sent.ok) throw new Error('send');
    const id = sent.message.id;
    const others = await b.client.post(`/api/chats/${code}/pins`, { messageId: id, amountCents: 100, quotedCents: 100, idempotencyKey: key() });
    expect(others.status).toBe(403);
    expect(others.body.error.code).toBe('FORBIDDEN');
    const missing = await a.client.post(`/api/chats/${code}/pins`, { messageId: crypto.randomUUID(), amountCents: 100, quotedCents: 100, idempotencyKey: key() });
    expect(missing.body.error.code).toBe('MESSAGE_NOT_FOUND');
    const res = await a.client.post(`/api/chats/${code}/pins`, { messageId: id, amountCents: 100, quotedCents: 100, idempotencyKey: key() });
    expect(res.status).toBe(201);
    await a.client.post(`/api/payments/${res.body.payment.id}/confirm`, { outcome: 'succeed' });
    const again = await a.client.post(`/api/chats/${code}/pins`, { messageId: id, amountCents: 200, quotedCents: 200, idempotencyKey: key() });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MESSAGE_ALREADY_PINNED');
    const state = (await a.client.get(`/api/chats/${code}/money`)).body.pins;
    expect(state.pins).toHaveLength(1);
    expect(state.pins[0].message).toMatchObject({ id, content: 'pin me please', amountCents: 100 });
  });

  it('blocked terms and profanity are refused before any charge; pins off is 403', async () => {
    const { code } = await pinsChat(t, { blockedTerms: ['crypto scam'] });
    const a = await guestJoins(t, code);
    const blocked = await a.client.post(`/api/chats/${code}/pins`, { text: 'best Crypto  Scam here', amountCents: 100, quotedCents: 100, idempotencyKey: key() });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error.code).toBe('BLOCKED_TERM');
    // Invisible characters and look-alike forms do not hide a term from the check.
    const hidden = await a.client.post(`/api/chats/${code}/pins`, { text: 'best crypto sc\u200bam, ｃｒｙｐｔｏ', amountCents: 100, quotedCents: 100, idempotencyKey: key() });
    expect(hidden.body.error.code).toBe('BLOCKED_TERM');
    for (const text of ['this is bullshit', 'sh1t show', 'total sh\u200bit', 'bull\u00adshit']) {
      const profane = await a.client.post(`/api/chats/${code}/pins`, { text, amountCents: 100, quotedCents: 100, idempotencyKey: key() });
      expect(profane.status, text).toBe(400);
      expect(profane.body.error.code).toBe('CONTENT_PROFANE');
    }
    expect((await a.client.get('/api/payments')).body.payments).toEqual([]);
    const plain = await hostWithChat(t);
    const g = await guestJoins(t, plain.chat.code);
    expect((await g.client.post(`/api/chats/${plain.chat.code}/pins`, { text: 'hi', amountCents: 100, quotedCents: 100, idempotencyKey: key() })).body.error.code).toBe('FEATURE_DISABLED');
  });

  it('refuses malformed pin requests with a clear error and charges nothing', async () => {
    const { code } = await pinsChat();
    const a = await guestJoins(t, code);
    const quoted = await quoteOf(a.client, code);
    for (const [body, field] of [
      [{ amountCents: 100, quotedCents: 100, idempotencyKey: key() }, 'messageId'],
      [{ text: 'both', messageId: crypto.randomUUID(), amountCents: 100, quotedCents: 100, idempotencyKey: key() }, 'messageId'],
      [{ text: 'too little', amountCents: 100, quotedCents: 200, idempotencyKey: key() }, 'amountCents'],
      [{ text: 'too much', amountCents: 50_001, quotedCents: 100, idempotencyKey: key() }, 'amountCents'],
      [{ text: 'fractions', amountCents: 150.5, quotedCents: 100, idempotencyKey: key() }, 'amountCents'],
      [{ text: '   ', amountCents: 100, quotedCents: 100, idempotencyKey: key() }, 'text'],
      [{ text: 'no key', amountCents: 100, quotedCents: 100 }, 'idempotencyKey'],
      [{ text: 'bad key', amountCents: 100, quotedCents: 100, idempotencyKey: 'no spaces allowed' }, 'idempotencyKey'],
      [{ messageId: 'not-a-uuid', amountCents: 100, quotedCents: 100, idempotencyKey: key() }, 'messageId'],
      [{ text: 'extra', amountCents: 100, quotedCents: 100, idempotencyKey: key(), currency: 'eur' }, ''],
    ] as const) {
      const res = await a.client.post(`/api/chats/${code}/pins`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(typeof res.body.error.message).toBe('string');
      if (field) expect(JSON.stringify(res.body.error.details), JSON.stringify(body)).toContain(field);
    }
    expect((await a.client.get('/api/payments')).body.payments).toEqual([]);
    expect(await quoteOf(a.client, code)).toBe(quoted);
  });

  it('host and moderators unpin; participants cannot; a ban or time-out takes the pins down; a refund too', async () => {
    const { code, roomId, host } = await pinsChat();
    const mod = await guestJoins(t, code);
    await host.client.post(`/api/chats/${code}/members/${mod.member.id}/moderate`, { action: 'promote' });
    const a = await guestJoins(t, code);
    const b = await guestJoins(t, code);
    const s = await listen(t, mod.token, roomId);
    const updates = collect<PinsUpdatedPayload>(s, 'pins:updated');
    await pinText(a.client, code, 'first', 300, 100);
    const paidB = await pinText(b.client, code, 'second', 500, 400);
    let pins = (await a.client.get(`/api/chats/${code}/money`)).body.pins.pins;
    expect(pins).toHaveLength(2);
    const aPin = pins.find((p: { message: Message }) => p.message.content === 'first');

    const byParticipant = await b.client.delete(`/api/chats/${code}/pins/${aPin.id}`);
    expect(byParticipant.status).toBe(403);
    const byMod = await mod.client.delete(`/api/chats/${code}/pins/${aPin.id}`);
    expect(byMod.status).toBe(200);
    expect(byMod.body.pins.map((p: { message: Message }) => p.message.content)).toEqual(['second']);
    expect((await mod.client.delete(`/api/chats/${code}/pins/${aPin.id}`)).body.error.code).toBe('PIN_NOT_FOUND');
    await until(() => updates.some((u) => u.pins.length === 1), 3000, 'unpin broadcast');

    // A refund takes B's pin down.
    expect((await host.client.post(`/api/payments/${paidB.id}/refund`)).status).toBe(200);
    pins = (await a.client.get(`/api/chats/${code}/money`)).body.pins.pins;
    expect(pins).toEqual([]);

    // A time-out, and a ban, take the participant's pins down.
    await pinText(a.client, code, 'again', 100, 100);
    await pinText(b.client, code, 'b again', 200, 200);
    await host.client.post(`/api/chats/${code}/members/${a.member.id}/moderate`, { action: 'timeout', seconds: 60 });
    pins = (await b.client.get(`/api/chats/${code}/money`)).body.pins.pins;
    expect(pins.map((p: { message: Message }) => p.message.content)).toEqual(['b again']);
    await host.client.post(`/api/chats/${code}/members/${b.member.id}/moderate`, { action: 'ban' });
    expect((await t.client().get(`/api/chats/${code}/money`)).body.pins.pins).toEqual([]);
    // A timed-out participant cannot buy a pin.
    expect((await a.client.post(`/api/chats/${code}/pins`, { text: 'x', amountCents: 100, quotedCents: 100, idempotencyKey: key() })).body.error.code).toBe('TIMED_OUT');
  });
});

describe('pin expiry', () => {
  let fast: TestApp;
  beforeAll(async () => {
    // $1 pins last 0.6 s, $2 pins 3 s.
    fast = await startApp({ env: { PAYMENTS_SWEEP_MS: '50', PIN_DURATION_SCALE: '0.02' } });
  });
  afterAll(async () => {
    await fast.destroy();
  });

  it('expires on its own and tells everyone, in order; the price falls back to the base', async () => {
    const { code, roomId } = await pinsChat(fast);
    const a = await guestJoins(fast, code);
    const watcher = await guestJoins(fast, code);
    const s = await listen(fast, watcher.token, roomId);
    const updates = collect<PinsUpdatedPayload>(s, 'pins:updated');
    const long = await pinText(a.client, code, 'lasts longer', 200, 100);
    const short = await pinText(a.client, code, 'short one', 300, 300);
    expect(short.amountCents).toBe(300);
    await until(() => updates.some((u) => u.pins.length === 2), 3000, 'two pins');
    // $3 → 150 s × 0.02 = 3 s; $2 → 3 s as well; both end, the list empties, the price returns to the base.
    await until(() => updates.length > 0 && updates[updates.length - 1]!.pins.length === 0, 8000, 'expiry broadcast');
    expect(updates[updates.length - 1]!.quoteCents).toBe(100);
    expect((await a.client.get(`/api/chats/${code}/money`)).body.pins).toMatchObject({ quoteCents: 100, pins: [] });
    expect(await fast.app.ctx.cache.pinned(pinnedKey(code))).toEqual([]);
    void long;
  });
});
