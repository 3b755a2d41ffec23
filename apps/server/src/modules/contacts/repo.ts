import { and, asc, desc, eq, or, sql } from 'drizzle-orm';
import { CONTACT_LIST_MAX } from '@chatpop/protocol';
import type { DbExecutor } from '../../db/client';
import { contactRequests, contacts, userBlocks, users } from '../../db/schema';

const personColumns = {
  userId: users.id,
  username: sql<string>`${users.username}`,
  displayName: users.displayName,
  avatarKey: users.avatarKey,
};

export async function listContacts(db: DbExecutor, ownerId: string) {
  return db
    .select({ ...personColumns, nickname: contacts.nickname, favourite: contacts.favourite, addedAt: contacts.createdAt })
    .from(contacts)
    .innerJoin(users, eq(users.id, contacts.contactId))
    .where(eq(contacts.ownerId, ownerId))
    .orderBy(desc(contacts.favourite), sql`lower(coalesce(${contacts.nickname}, ${users.displayName}, ${users.username}))`, asc(users.id))
    .limit(CONTACT_LIST_MAX);
}

export async function findContact(db: DbExecutor, ownerId: string, contactId: string) {
  const [row] = await db
    .select({ ...personColumns, nickname: contacts.nickname, favourite: contacts.favourite, addedAt: contacts.createdAt })
    .from(contacts)
    .innerJoin(users, eq(users.id, contacts.contactId))
    .where(and(eq(contacts.ownerId, ownerId), eq(contacts.contactId, contactId)))
    .limit(1);
  return row;
}

/** Adds the contact unless it is there; true when a row was added. */
export async function insertContact(db: DbExecutor, ownerId: string, contactId: string, nickname: string | null): Promise<boolean> {
  const rows = await db
    .insert(contacts)
    .values({ ownerId, contactId, nickname })
    .onConflictDoNothing()
    .returning({ ownerId: contacts.ownerId });
  return rows.length > 0;
}

export async function updateContact(db: DbExecutor, ownerId: string, contactId: string, patch: { nickname?: string | null; favourite?: boolean }) {
  const rows = await db
    .update(contacts)
    .set(patch)
    .where(and(eq(contacts.ownerId, ownerId), eq(contacts.contactId, contactId)))
    .returning({ ownerId: contacts.ownerId });
  return rows.length > 0;
}

export async function deleteContact(db: DbExecutor, ownerId: string, contactId: string): Promise<boolean> {
  const rows = await db
    .delete(contacts)
    .where(and(eq(contacts.ownerId, ownerId), eq(contacts.contactId, contactId)))
    .returning({ ownerId: contacts.ownerId });
  return rows.length > 0;
}

// ---- requests -------------------------------------------------------------------

export async function requestsOf(db: DbExecutor, userId: string, direction: 'incoming' | 'outgoing') {
  const [mine, theirs] = direction === 'incoming' ? [contactRequests.toId, contactRequests.fromId] : [contactRequests.fromId, contactRequests.toId];
  return db
    .select({ id: contactRequests.id, createdAt: contactRequests.createdAt, ...personColumns })
    .from(contactRequests)
    .innerJoin(users, eq(users.id, theirs))
    .where(eq(mine, userId))
    .orderBy(desc(contactRequests.createdAt), desc(contactRequests.id))
    .limit(CONTACT_LIST_MAX);
}

export async function findRequest(db: DbExecutor, id: string) {
  const [row] = await db.select().from(contactRequests).where(eq(contactRequests.id, id)).limit(1);
  return row;
}

export async function findRequestBetween(db: DbExecutor, fromId: string, toId: string) {
  const [row] = await db
    .select()
    .from(contactRequests)
    .where(and(eq(contactRequests.fromId, fromId), eq(contactRequests.toId, toId)))
    .limit(1);
  return row;
}

export async function insertRequest(db: DbExecutor, row: { id: string; fromId: string; toId: string }) {
  const [inserted] = await db.insert(contactRequests).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** Removes the request if it is still there; the row removed, or undefined when someone else answered first. */
export async function deleteRequest(db: DbExecutor, id: string) {
  const [row] = await db.delete(contactRequests).where(eq(contactRequests.id, id)).returning();
  return row;
}

export async function deleteRequestsBetween(db: DbExecutor, a: string, b: string) {
  return db
    .delete(contactRequests)
    .where(
      or(
        and(eq(contactRequests.fromId, a), eq(contactRequests.toId, b)),
        and(eq(contactRequests.fromId, b), eq(contactRequests.toId, a)),
      ),
    )
    .returning({ id: contactRequests.id });
}

// ---- blocks -----------------------------------------------------------------------

export async function listBlocked(db: DbExecutor, blockerId: string) {
  return db
    .select({ ...personColumns, blockedAt: userBlocks.createdAt })
    .from(userBlocks)
    .innerJoin(users, eq(users.id, userBlocks.blockedId))
    .where(eq(userBlocks.blockerId, blockerId))
    .orderBy(desc(userBlocks.createdAt))
    .limit(CONTACT_LIST_MAX);
}

export async function insertBlock(db: DbExecutor, blockerId: string, blockedId: string): Promise<boolean> {
  const rows = await db.insert(userBlocks).values({ blockerId, blockedId }).onConflictDoNothing().returning({ id: userBlocks.blockerId });
  return rows.length > 0;
}

export async function deleteBlock(db: DbExecutor, blockerId: string, blockedId: string): Promise<boolean> {
  const rows = await db
    .delete(userBlocks)
    .where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)))
    .returning({ id: userBlocks.blockerId });
  return rows.length > 0;
}
