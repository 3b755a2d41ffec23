import { afterAll, describe, expect, it } from 'vitest';
import type { BackroomUpdatedPayload, PinsUpdatedPayload } from '@chatpop/protocol';
import { backend, call, collect, connectSocket, rollAndJoin, sleep, until, type ClientSocket } from './harness';
import { signUpThroughMail, startTwoNodes } from './process';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Two server processes on one PostgreSQL and one Redis: both sweep, one expiry is announced once, to both.
describe.runIf(backend === 'networked')('money on two nodes', () => {
  it('a pin bought on one node expires once and both nodes’ clients hear it; seat counts cross nodes', async () => {
    const [a, b] = await startTwoNodes('money2n', cleanups, { PAYMENTS_SWEEP_MS: '50', PIN_DURATION_SCALE: '0.05' });

    const host = a.client();
    await signUpThroughMail(host, { email: 'money2n@example.com', password: 'Passw0rd!', username: 'MoneyHost' });
    const chat = (
      await host.post('/api/chats', {
        name: 'Pins across nodes',
        settings: { pins: { enabled: true, basePriceCents: 100 }, backroom: { enabled: true, seatPriceCents: 500, seatLimit: 2 } },
      })
    ).body.chat;
    const payerClient = a.client();
    await rollAndJoin(payerClient, chat.code);
    const watcherA = await rollAndJoin(a.client(), chat.code);
    const watcherB = await rollAndJoin(b.client(), chat.code);
    const sockets: ClientSocket[] = [await connectSocket(a.url, [watcherA.body.token]), await connectSocket(b.url, [watcherB.body.token])];
    cleanups.push(() => sockets.forEach((s) => s.close()));
    const heard = sockets.map((s) => collect<PinsUpdatedPayload>(s, 'pins:updated'));
    const seats = sockets.map((s) => collect<BackroomUpdatedPayload>(s, 'backroom:updated'));
    for (const s of sockets) expect((await call(s, 'room:join', { roomId: chat.roomId, afterSeq: 0 })).ok).toBe(true);

    // $1: 30 s × 0.05 = 1.5 s.
    const bought = await payerClient.post(`/api/chats/${chat.code}/pins`, { text: 'across nodes', amountCents: 100, quotedCents: 100, idempotencyKey: 'two-nodes-pin-1' });
    expect(bought.status).toBe(201);
    expect((await payerClient.post(`/api/payments/${bought.body.payment.id}/confirm`, { outcome: 'succeed' })).status).toBe(200);
    for (const list of heard) await until(() => list.some((u) => u.pins.length === 1), 5_000, 'pin on both nodes');
    for (const list of heard) await until(() => list.at(-1)!.pins.length === 0, 8_000, 'expiry on both nodes');
    await sleep(500);
    for (const list of heard) expect(list.filter((u, i) => u.pins.length === 0 && list[i - 1]?.pins.length === 1)).toHaveLength(1);
    // B reads the same state.
    expect((await b.client().get(`/api/chats/${chat.code}/money`)).body.pins).toMatchObject({ quoteCents: 100, pins: [] });

    // A seat bought through B is counted on A.
    const seatBuyer = b.client();
    await rollAndJoin(seatBuyer, chat.code);
    const seat = await seatBuyer.post(`/api/chats/${chat.code}/backroom/seats`, { idempotencyKey: 'two-nodes-seat-1' });
    expect(seat.status).toBe(201);
    for (const list of seats) await until(() => list.some((u) => u.seatsTaken === 1), 5_000, 'seat count on both nodes');
    expect((await a.client().get(`/api/chats/${chat.code}/money`)).body.backroom.seatsTaken).toBe(1);
  }, 60_000);
});
