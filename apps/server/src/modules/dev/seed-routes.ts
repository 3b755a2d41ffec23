import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import { members, messages, rooms } from '../../db/schema';
import { AppError } from '../../errors';
import { parse } from '../../http';
import { recountUnread } from '../messages/repo';
import { roomCacheKey } from '../messages/service';
import { isFromThisMachine } from './routes';

/** The most one call writes; a conversation can be filled further by calling again. */
export const DEV_SEED_MAX_MESSAGES = 20_000;
const INSERT_BATCH = 1_000;

const seedBodySchema = z.strictObject({
  count: z.number().int().min(1).max(DEV_SEED_MAX_MESSAGES),
  /** Time between two messages; the last one is sent now. */
  spacingSeconds: z.number().int().min(1).max(86_400).default(60),
});

/**
 * Fills a conversation with many messages at once, for demos and the long-list
 * end-to-end test (registered only with `DEV_SEED=true`, and answering this
 * machine alone, as the dev outbox does). The messages are written as the
 * messaging core writes them (the room's next seqs, taken under its row, its
 * members as senders in turn, `spacingSeconds` apart ending now) and the room's
 * message cache is dropped, so history pages read them like any others.
 */
export async function devSeedRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  app.addHook('onRequest', async (req) => {
    if (!isFromThisMachine(req)) throw new AppError(404, 'NOT_FOUND', `There is nothing at ${req.method} ${req.url.split('?')[0]}.`);
  });
  app.post('/api/dev/conversations/:id/messages', async (req, reply) => {
    const { id } = parse(z.object({ id: z.string().uuid() }), req.params);
    const { count, spacingSeconds } = parse(seedBodySchema, req.body);
    const room = await ctx.rooms.byRoomId(id);
    if (!room || (room.kind !== 'direct' && room.kind !== 'group')) throw new AppError(404, 'CONVERSATION_NOT_FOUND', 'There is no such conversation.');
    const senders = await ctx.db
      .select()
      .from(members)
      .where(and(eq(members.roomId, room.id), isNull(members.removedAt)))
      .orderBy(asc(members.joinedAt));
    if (senders.length === 0) throw new AppError(404, 'CONVERSATION_NOT_FOUND', 'There is no such conversation.');
    const firstSeq = await ctx.db.transaction(async (tx) => {
      const [next] = await tx
        .update(rooms)
        .set({ lastSeq: sql`${rooms.lastSeq} + ${count}`, lastMessageAt: new Date() })
        .where(eq(rooms.id, room.id))
        .returning({ lastSeq: rooms.lastSeq });
      if (!next) throw new AppError(404, 'CONVERSATION_NOT_FOUND', 'There is no such conversation.');
      const first = next.lastSeq - count + 1;
      const now = Date.now();
      for (let start = 0; start < count; start += INSERT_BATCH) {
        const rows = [];
        for (let i = start; i < Math.min(count, start + INSERT_BATCH); i++) {
          const sender = senders[i % senders.length]!;
          rows.push({
            id: uuidv7(),
            roomId: room.id,
            seq: first + i,
            clientId: `seed-${first + i}`,
            memberId: sender.id,
            username: sender.username,
            verified: sender.verified,
            type: 'normal' as const,
            content: `Message ${first + i}`,
            createdAt: new Date(now - (count - 1 - i) * spacingSeconds * 1000),
          });
        }
        await tx.insert(messages).values(rows);
      }
      // The counters the send statement keeps (docs/decisions.md, "Unread counters"), counted afresh.
      await tx.execute(
        sql`update members m set sent_count = (select count(*)::int from messages x where x.room_id = m.room_id and x.member_id = m.id and x.type <> 'system') where m.room_id = ${room.id}::uuid`,
      );
      await recountUnread(tx, room.id, senders.map((s) => s.id));
      return first;
    });
    await ctx.cache.drop(await roomCacheKey(ctx, room));
    return reply.status(201).send({ firstSeq, lastSeq: firstSeq + count - 1 });
  });
}
