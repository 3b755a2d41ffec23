import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, Message, ReactionUpdatedPayload, TypingPayload } from '@chatpop/protocol';
import { backend, call, collect, connectSocket, guestJoins, hostWithChat, seedMessages, startApp, until, type ClientSocket, type TestApp } from '../../test/harness';
import { TYPING_COALESCE_MS } from './typing';

// One client must not make the server rebroadcast hundreds of events a second to the room (docs/security.md,
// "Event floods"). Real Socket.IO clients flood; what another member receives is counted.

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

async function joined(roomId: string, token: string) {
  const s = await connectSocket(t.url, [token]);
  sockets.push(s);
  const res = await call(s, 'room:join', { roomId, afterSeq: 0 });
  if (!res.ok) throw new Error(`join refused: ${res.error.code}`);
  return s;
}

async function chat() {
  const host = await hostWithChat(t);
  const { code, roomId } = host.chat;
  const [flooder, bob, carol] = [await guestJoins(t, code), await guestJoins(t, code), await guestJoins(t, code)];
  return {
    code,
    roomId,
    host,
    flooder: { ...flooder, socket: await joined(roomId, flooder.token) },
    bob: { ...bob, socket: await joined(roomId, bob.token) },
    carol: { ...carol, socket: await joined(roomId, carol.token) },
  };
}

describe(`event floods (${backend})`, () => {
  it('typing is coalesced per member: 300 starts reach the others as one per two seconds, and the stop still arrives', async () => {
    const c = await chat();
    const bobSees = collect<TypingPayload>(c.bob.socket, 'typing');
    const started = Date.now();
    for (let i = 0; i < 300; i++) c.flooder.socket.emit('typing', { roomId: c.roomId, typing: true });
    // Someone else typing meanwhile is shown all the same: the limit is per member.
    c.carol.socket.emit('typing', { roomId: c.roomId, typing: true });
    await until(() => bobSees.some((p) => p.memberId === c.carol.member.id), 10_000, "carol's typing");
    // The stop is sent until it gets through (a flood may have used up the connection's budget for a moment).
    await until(
      () => {
        c.flooder.socket.emit('typing', { roomId: c.roomId, typing: false });
        return bobSees.some((p) => p.memberId === c.flooder.member.id && !p.typing);
      },
      15_000,
      'the stop',
    );
    const elapsed = Date.now() - started;
    const fromFlooder = bobSees.filter((p) => p.memberId === c.flooder.member.id);
    const starts = fromFlooder.filter((p) => p.typing).length;
    expect(starts).toBeGreaterThanOrEqual(1);
    expect(starts).toBeLessThanOrEqual(Math.floor(elapsed / TYPING_COALESCE_MS) + 1);
    // Events of one connection arrive in order: the stop came after every start that was let through, and once.
    expect(fromFlooder.at(-1)).toMatchObject({ typing: false });
    expect(fromFlooder.filter((p) => !p.typing)).toHaveLength(1);
  });

  it('reactions are limited like messages: past the limit a clear RATE_LIMITED ack, and nothing is broadcast for it', async () => {
    const c = await chat();
    const [message] = await seedMessages(t, c.roomId, c.bob.member.id, 1, 'react-to-me');
    const bobSees = collect<ReactionUpdatedPayload>(c.bob.socket, 'reaction:updated');
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call<{ reactions: Message['reactions'] }>(c.flooder.socket, 'reaction:set', { roomId: c.roomId, messageId: message!.id, emoji: '🔥', on: i % 2 === 0 }),
      ),
    );
    const ok = acks.filter((a) => a.ok).length;
    const limited = acks.filter((a): a is Extract<Ack<object>, { ok: false }> => !a.ok);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeGreaterThan(0);
    expect(ok + limited.length).toBe(40);
    for (const a of limited) {
      expect(a.error.code).toBe('RATE_LIMITED');
      expect(a.error.message).toMatch(/react/i);
      expect((a.error.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    // One broadcast per reaction that was taken, none for the refused ones.
    await until(() => bobSees.length >= ok, 10_000, 'the broadcasts of the reactions taken');
    await call(c.bob.socket, 'presence:heartbeat');
    expect(bobSees).toHaveLength(ok);

    // The HTTP route is the same rule for the same participant: 429 with retry-after.
    const http = await Promise.all(
      Array.from({ length: 20 }, () => c.flooder.client.post(`/api/chats/${c.code}/messages/${message!.id}/reactions`, { emoji: '🎉', on: true })),
    );
    const refused = http.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(http.filter((r) => r.status !== 429 && r.status !== 200)).toEqual([]);
    // Another participant reacts freely meanwhile.
    expect((await call(c.carol.socket, 'reaction:set', { roomId: c.roomId, messageId: message!.id, emoji: '👍', on: true })).ok).toBe(true);
  });

  it('one token bucket per connection: past its burst any event is answered RATE_LIMITED, and the connection works again after', async () => {
    const c = await chat();
    const acks = await Promise.all(Array.from({ length: 400 }, () => call(c.flooder.socket, 'presence:heartbeat')));
    const limited = acks.filter((a) => !a.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } } });
    // Another connection is not held back by it.
    expect((await call(c.bob.socket, 'presence:heartbeat')).ok).toBe(true);
    // The bucket refills: the flooder's connection is usable again without reconnecting (a resend of one client id is one message).
    const clientId = `c${Date.now()}calm`;
    let sent: Ack<{ message: Message }> | null = null;
    await until(
      async () => {
        sent = await call<{ message: Message }>(c.flooder.socket, 'message:send', { roomId: c.roomId, clientId, content: 'calm again' });
        if (!sent.ok && sent.error.code !== 'RATE_LIMITED') throw new Error(`send refused: ${sent.error.code}`);
        return sent.ok;
      },
      10_000,
      'the bucket refilled',
    );
    expect(sent).toMatchObject({ ok: true, message: { content: 'calm again' } });
    expect(c.flooder.socket.connected).toBe(true);
  });
});
