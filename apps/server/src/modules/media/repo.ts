import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Attachment } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { attachments, messages, rooms, type AttachmentRow } from '../../db/schema';

export async function insert(db: DbExecutor, row: typeof attachments.$inferInsert): Promise<AttachmentRow> {
  const [inserted] = await db.insert(attachments).values(row).returning();
  return inserted!;
}

/** What a client draws of a stored attachment. */
export const toAttachment = (a: AttachmentRow): Attachment => ({
  id: a.id,
  kind: a.kind,
  mime: a.mime,
  width: a.width,
  height: a.height,
  placeholder: a.placeholder,
});

/**
 * The sender's unsent uploads of this room among `ids`, locked for the send's
 * transaction (two sends naming one upload: the second waits, then finds it
 * sent). Returned in the order of `ids`.
 */
export async function lockUnsent(db: DbExecutor, ids: string[], roomId: string, memberId: string): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(attachments)
    .where(and(inArray(attachments.id, ids), eq(attachments.roomId, roomId), eq(attachments.memberId, memberId), isNull(attachments.messageId)))
    .for('update');
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is AttachmentRow => r !== undefined);
}

export async function markSent(db: DbExecutor, ids: string[], messageId: string): Promise<void> {
  if (ids.length === 0) return;
  await db.update(attachments).set({ messageId }).where(inArray(attachments.id, ids));
}

/** One attachment with what serving it must know: its message's state and its room's access. */
export async function findForServing(db: DbExecutor, id: string) {
  const [row] = await db
    .select({
      attachment: attachments,
      deletedAt: messages.deletedAt,
      hidden: messages.hidden,
      roomKind: rooms.kind,
      roomPrivate: rooms.isPrivate,
    })
    .from(attachments)
    .innerJoin(rooms, eq(rooms.id, attachments.roomId))
    .leftJoin(messages, eq(messages.id, attachments.messageId))
    .where(eq(attachments.id, id));
  return row;
}

/**
 * Removes the rows of uploads left unsent since `unsentBefore` and of
 * attachments whose message was deleted; each row is returned to exactly one
 * node (the delete decides), which then removes its files.
 */
export async function sweep(db: DbExecutor, unsentBefore: Date, limit = 500): Promise<string[]> {
  const result = await db.execute(sql`
    delete from attachments where id in (
      select id from (
        select a.id from attachments a
        where a.message_id is null and a.created_at < ${unsentBefore.toISOString()}::timestamptz
        union
        select a.id from attachments a join messages m on m.id = a.message_id
        where m.deleted_at is not null
      ) gone
      limit ${limit}
    )
    returning id
  `);
  return (result as unknown as { rows: { id: string }[] }).rows.map((r) => r.id);
}
