import type { Message, Reaction } from '@chatpop/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbExecutor } from '../../db/client';
import { members, userBlocks, type RoomRow } from '../../db/schema';
import { blockedMembersIn, blockerMembersIn } from './blocks';

/**
 * Blocks in pop chats and their Back Rooms (SPEC §4): the blocker stops
 * seeing the blocked person's messages, reactions and typing — live, in
 * history pages and in a join's replay — and nobody else's view changes. The
 * blocked person is told nothing: they still see their own messages go out.
 *
 * A block is between accounts, so it reaches the blocked account's
 * signed-in participations only, and hides them from the blocker's signed-in
 * participation (docs/decisions.md: anonymous participants are out of reach).
 * Conversations are not concerned: there a block refuses the message itself.
 */

export const hidesBlocked = (room: Pick<RoomRow, 'kind'>) => room.kind !== 'direct' && room.kind !== 'group';

/** The participations in the room that must not get what `authorUserId` writes or types now. */
export async function hideFromBlockers(db: DbExecutor, room: Pick<RoomRow, 'id' | 'kind'>, authorUserId: string | null | undefined): Promise<string[]> {
  if (!authorUserId || !hidesBlocked(room)) return [];
  return blockerMembersIn(db, room.id, [authorUserId]);
}

/** A message's reactions less those of the participations in `hidden`. */
export function reactionsWithout(reactions: Reaction[], hidden: Set<string>): Reaction[] {
  if (hidden.size === 0) return reactions;
  const out: Reaction[] = [];
  for (const r of reactions) {
    const kept = r.members.filter((m) => !hidden.has(m.id));
    const dropped = r.members.length - kept.length;
    if (dropped === 0) out.push(r);
    else if (r.count - dropped > 0) out.push({ ...r, count: r.count - dropped, members: kept });
  }
  return out;
}

const reactor = alias(members, 'reactor');

/**
 * Who must see a message's reactions differently: each participation in the
 * room whose account blocked one of the people who reacted, with the list as
 * that reader sees it. Empty (one query) when no one reacting is blocked by
 * anyone there.
 */
export async function reactionViews(
  db: DbExecutor,
  room: Pick<RoomRow, 'id' | 'kind'>,
  reactions: Reaction[],
): Promise<{ memberId: string; reactions: Reaction[] }[]> {
  if (!hidesBlocked(room)) return [];
  const reactorIds = [...new Set(reactions.flatMap((r) => r.members.map((m) => m.id)))];
  if (reactorIds.length === 0) return [];
  const pairs = await db
    .select({ reader: members.id, hidden: reactor.id })
    .from(reactor)
    .innerJoin(userBlocks, eq(userBlocks.blockedId, reactor.userId))
    .innerJoin(members, and(eq(members.userId, userBlocks.blockerId), eq(members.roomId, room.id)))
    .where(inArray(reactor.id, reactorIds));
  const byReader = new Map<string, Set<string>>();
  for (const p of pairs) {
    let set = byReader.get(p.reader);
    if (!set) byReader.set(p.reader, (set = new Set()));
    set.add(p.hidden);
  }
  return [...byReader].map(([memberId, hidden]) => ({ memberId, reactions: reactionsWithout(reactions, hidden) }));
}

/**
 * A history page, replay or gap fill as the account `readerUserId` sees it:
 * the messages of people it blocked left out (their seqs named in
 * `withheld`, so the client steps over them) and their reactions taken off
 * the rest.
 */
export async function withoutBlocked<T extends { messages: Message[]; withheld: number[]; hostMessages?: Message[] }>(
  db: DbExecutor,
  room: Pick<RoomRow, 'id' | 'kind'>,
  readerUserId: string | null | undefined,
  answer: T,
): Promise<T> {
  if (!readerUserId || !hidesBlocked(room)) return answer;
  const hidden = await blockedMembersIn(db, room.id, readerUserId);
  if (hidden.size === 0) return answer;
  const view = (list: Message[]) =>
    list.filter((m) => !(m.memberId && hidden.has(m.memberId))).map((m) => (m.reactions.length > 0 ? { ...m, reactions: reactionsWithout(m.reactions, hidden) } : m));
  const withheld = answer.messages.filter((m) => m.memberId && hidden.has(m.memberId)).map((m) => m.seq);
  return {
    ...answer,
    messages: view(answer.messages),
    withheld: [...new Set([...answer.withheld, ...withheld])].sort((a, b) => a - b),
    ...(answer.hostMessages ? { hostMessages: view(answer.hostMessages) } : {}),
  };
}
