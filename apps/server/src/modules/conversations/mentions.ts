import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { USERNAME_MAX_CHARS } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { members, messageMentions } from '../../db/schema';
import { notBlockedSql } from '../contacts/blocks';
import { lockRoomRow, recountUnread } from '../messages/repo';


/**
 * @mentions in conversations (SPEC §4): who a message names, kept as rows of
 * `message_mentions` so a member's mention badge is a count past their read
 * watermark (repo.ts, `mentionExpr`), never a look at the messages.
 */

const isNameChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // 0-9 A-Z a-z _

/**
 * The lower-cased usernames a text @mentions: an `@` at the start or after a
 * character that cannot be in a name (so `ann@example.com` names nobody),
 * then a whole name of 1–USERNAME_MAX_CHARS name characters. One pass over the
 * text, each character looked at a bounded number of times (STYLE §17).
 */
export function mentionedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at > 0 && isNameChar(text.charCodeAt(at - 1))) continue;
    let end = at + 1;
    // One character past the longest name is enough to tell a name from a longer run.
    while (end < text.length && end - at <= USERNAME_MAX_CHARS + 1 && isNameChar(text.charCodeAt(end))) end++;
    const length = end - at - 1;
    // A run longer than any username is no mention (and is not cut to one).
    if (length === 0 || length > USERNAME_MAX_CHARS) continue;
    names.add(text.slice(at + 1, end).toLowerCase());
  }
  return names;
}

interface Mentioning {
  id: string;
  roomId: string;
  seq: number;
  content: string;
  memberId: string | null;
}

/**
 * Records whom `message` mentions: live members of its room named in its
 * text, its author left out. Harmless to run again (a resend): a mention is
 * one row per member and seq.
 */
export async function recordMentions(db: DbExecutor, message: Mentioning): Promise<number> {
  const names = mentionedNames(message.content);
  if (names.size === 0) return 0;
  const named = await db
    .select({ id: members.id })
    .from(members)
    .where(
      and(
        eq(members.roomId, message.roomId),
        isNull(members.removedAt),
        inArray(members.usernameLower, [...names]),
        message.memberId ? ne(members.id, message.memberId) : undefined,
        // Someone with a block either way with the author is not mentioned: no badge, no notice.
        message.memberId
          ? notBlockedSql(members.userId, sql`(select author.user_id from ${members} author where author.id = ${message.memberId})`)
          : undefined,
      ),
    );
  if (named.length === 0) return 0;
  await db.transaction(async (tx) => {
    // The room's lock before its members' rows, the order senders take them in.
    await lockRoomRow(tx, message.roomId);
    const inserted = await tx
      .insert(messageMentions)
      .values(named.map((m) => ({ memberId: m.id, seq: message.seq, messageId: message.id })))
      .onConflictDoNothing()
      .returning({ memberId: messageMentions.memberId });
    // Their mention counters (docs/decisions.md, "Unread counters"): one more for each still behind it.
    if (inserted.length === 0) return;
    await tx
      .update(members)
      .set({ mentionCount: sql`${members.mentionCount} + 1` })
      .where(and(inArray(members.id, inserted.map((r) => r.memberId)), sql`${members.lastReadSeq} < ${message.seq}`));
  });
  return named.length;
}

/** An edit: the mentions follow the new text, and so do the counters of whoever it mentioned before or now. */
export async function replaceMentions(db: DbExecutor, message: Mentioning): Promise<void> {
  const before = await forgetMentions(db, message.id);
  await recordMentions(db, message);
  if (before.length > 0) await recountUnread(db, message.roomId, before);
}

/** A message deleted for everyone mentions nobody any more; answers whom it mentioned. */
export async function forgetMentions(db: DbExecutor, messageId: string): Promise<string[]> {
  const rows = await db.delete(messageMentions).where(eq(messageMentions.messageId, messageId)).returning({ memberId: messageMentions.memberId });
  return rows.map((r) => r.memberId);
}

/** A message one member deleted for themselves no longer mentions them. */
export async function forgetMentionOf(db: DbExecutor, memberId: string, seq: number): Promise<void> {
  await db.delete(messageMentions).where(and(eq(messageMentions.memberId, memberId), eq(messageMentions.seq, seq)));
}
