import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Attachment, ChatSettings, GroupPermissions } from '@chatpop/protocol';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** Reserved username, case preserved; `username_lower` holds the unique key. */
    username: text('username'),
    usernameLower: text('username_lower'),
    displayName: text('display_name'),
    bio: text('bio').notNull().default(''),
    /** Storage key of the resized avatar (see infra/storage.ts); null when none. */
    avatarKey: text('avatar_key'),
    status: text('status', { enum: ['online', 'away', 'busy', 'offline'] }).notNull().default('online'),
    hideReadReceipts: boolean('hide_read_receipts').notNull().default(false),
    hideLastSeen: boolean('hide_last_seen').notNull().default(false),
    /** Who may start a direct conversation with this account or add it to a group (SPEC §4). */
    whoCanMessage: text('who_can_message', { enum: ['everyone', 'contacts'] }).notNull().default('everyone'),
    /** When the account was last visibly online: written as it goes offline (or chooses to appear offline). */
    lastSeenAt: ts('last_seen_at'),
    isStaff: boolean('is_staff').notNull().default(false),
    /** When the owner opened the confirmation link (or a password reset link); null: cannot sign in yet. */
    emailConfirmedAt: ts('email_confirmed_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /**
     * The latest registration of a still unconfirmed address: a new one replaces
     * the password and username and gets a new id, which its confirmation link
     * names (earlier links stop working); unconfirmed past a week, the account
     * is as good as absent and is swept (modules/auth/service.ts).
     */
    registeredAt: ts('registered_at').notNull().defaultNow(),
    registrationId: uuid('registration_id').notNull().defaultRandom(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    check('users_who_can_message_check', sql`${t.whoCanMessage} in ('everyone', 'contacts')`),
    index('users_unconfirmed_idx').on(t.registeredAt).where(sql`${t.emailConfirmedAt} is null`),
    uniqueIndex('users_username_lower_key').on(t.usernameLower),
    // People search (Inbox) matches prefixes of the username and the display name.
    index('users_username_prefix_idx').on(t.usernameLower.op('text_pattern_ops')),
    index('users_display_name_prefix_idx').using('btree', sql`lower(${t.displayName}) text_pattern_ops`),
    // …and, fuzzily, trigrams of both (pg_trgm): a typo still finds the person.
    index('users_username_trgm_idx').using('gin', sql`${t.usernameLower} gin_trgm_ops`),
    index('users_display_name_trgm_idx').using('gin', sql`lower(${t.displayName}) gin_trgm_ops`),
  ],
);

/** One row per signed-in device: a refresh-token family, rotated on every use. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Anonymous browsers, identified by an httpOnly cookie the server issues. */
export const devices = pgTable('devices', {
  id: text('id').primaryKey(),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
});

/**
 * Global username claims (SPEC §2.3): one row per name platform-wide, owned by
 * a registered user (their reserved username, or a rolled name they chat
 * under) or by one anonymous device. The primary key on the lower-cased name
 * is what settles two racing claims: one insert wins, the other conflicts.
 */
export const usernames = pgTable(
  'usernames',
  {
    nameLower: text('name_lower').primaryKey(),
    name: text('name').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    deviceId: text('device_id').references(() => devices.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
  },
  (t) => [
    check('usernames_one_owner', sql`(${t.userId} is null) <> (${t.deviceId} is null)`),
    index('usernames_user_idx').on(t.userId),
    index('usernames_device_idx').on(t.deviceId),
  ],
);

/**
 * Dice rolls (SPEC §2.2): a name offered to a device (or a signed-in user) in a
 * chat. A join accepts a name rolled for the joiner within the hour; the rows
 * of the last hour also count the rolls left and keep a name from being
 * offered twice.
 */
export const usernameRolls = pgTable(
  'username_rolls',
  {
    id: uuid('id').primaryKey(),
    /** Set for a signed-in user's roll; the device is then only informative. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    deviceId: text('device_id').references(() => devices.id, { onDelete: 'cascade' }),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nameLower: text('name_lower').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('username_rolls_device_idx').on(t.deviceId, t.createdAt),
    index('username_rolls_user_idx').on(t.userId, t.createdAt),
    index('username_rolls_name_idx').on(t.nameLower, t.createdAt),
  ],
);

/** Password reset links: single use, short-lived, only the token's hash stored. */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    ip: text('ip'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('password_resets_token_key').on(t.tokenHash), index('password_resets_user_idx').on(t.userId)],
);

/** Runtime settings (SPEC §5), read through modules/settings; keys and schemas in the protocol. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * A room's JSONB settings: a pop chat's (SPEC §2.1); a conversation keeps the
 * same defaults (its theme) and, for a group, who may do what.
 */
export type RoomSettings = ChatSettings & { permissions?: GroupPermissions };

export const rooms = pgTable(
  'rooms',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: ['pop', 'backroom', 'direct', 'group'] }).notNull(),
    code: text('code'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    isPrivate: boolean('is_private').notNull().default(false),
    accessCode: text('access_code'),
    settings: jsonb('settings').$type<RoomSettings>().notNull(),
    hostUserId: uuid('host_user_id').references(() => users.id),
    parentRoomId: uuid('parent_room_id'),
    lastSeq: integer('last_seq').notNull().default(0),
    /** When the newest message was written (set by the send statement with last_seq): the Inbox list's order. */
    lastMessageAt: ts('last_message_at'),
    /** A direct conversation's pair, `<smaller user id>:<larger user id>`: unique, so there is one per pair. */
    directKey: text('direct_key'),
    /** Storage key of a group's avatar; null when none. */
    avatarKey: text('avatar_key'),
    createdAt: ts('created_at').notNull().defaultNow(),
    endedAt: ts('ended_at'),
  },
  (t) => [
    uniqueIndex('rooms_direct_key').on(t.directKey).where(sql`${t.kind} = 'direct'`),
    uniqueIndex('rooms_code_key').on(t.code),
    index('rooms_host_idx').on(t.hostUserId),
    // One Back Room per pop chat.
    uniqueIndex('rooms_backroom_parent_key').on(t.parentRoomId).where(sql`${t.kind} = 'backroom'`),
  ],
);

export const members = pgTable(
  'members',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id),
    deviceId: text('device_id').references(() => devices.id),
    username: text('username').notNull(),
    usernameLower: text('username_lower').notNull(),
    role: text('role', { enum: ['host', 'moderator', 'admin', 'member'] }).notNull().default('member'),
    /** Badge (SPEC §2.3): a signed-in participant wearing their reserved username; set at join. */
    verified: boolean('verified').notNull().default(false),
    mutedUntil: ts('muted_until'),
    bannedAt: ts('banned_at'),
    /** Silently hidden: their messages reach only themselves (SPEC §2.4). */
    hiddenAt: ts('hidden_at'),
    lastReadSeq: integer('last_read_seq').notNull().default(0),
    lastDeliveredSeq: integer('last_delivered_seq').notNull().default(0),
    ip: text('ip'),
    joinedAt: ts('joined_at').notNull().defaultNow(),
    /** Left the room for good: a Back Room seat that was refunded (its connections are dropped). */
    removedAt: ts('removed_at'),
    /**
     * A conversation member's own list state (Inbox). Not `muted_until`,
     * which is a moderator's time-out in a pop chat.
     */
    notificationsMutedUntil: ts('notifications_muted_until'),
    archivedAt: ts('archived_at'),
    pinnedAt: ts('pinned_at'),
    /** "Mark as unread": shown as unread until the next read. */
    markedUnreadAt: ts('marked_unread_at'),
    /**
     * Conversations only: this member's unread messages and unread @mentions,
     * kept on every send, read, delete and edit (docs/decisions.md, "Unread
     * counters"); shown capped at UNREAD_COUNT_MAX / MENTION_COUNT_MAX.
     */
    unreadCount: integer('unread_count').notNull().default(0),
    mentionCount: integer('mention_count').notNull().default(0),
    /** Conversations only: messages this member wrote (the dashboard's "messages sent"). */
    sentCount: integer('sent_count').notNull().default(0),
  },
  (t) => [
    // Dual sessions (SPEC §2.2): a signed-in participation and an anonymous one are separate identities.
    uniqueIndex('members_room_user_key').on(t.roomId, t.userId).where(sql`${t.userId} is not null`),
    uniqueIndex('members_room_device_key').on(t.roomId, t.deviceId).where(sql`${t.userId} is null`),
    uniqueIndex('members_room_user_name_key').on(t.roomId, t.usernameLower).where(sql`${t.userId} is not null`),
    uniqueIndex('members_room_anon_name_key').on(t.roomId, t.usernameLower).where(sql`${t.userId} is null`),
    index('members_user_idx').on(t.userId),
    index('members_room_ip_idx').on(t.roomId, t.ip),
    // The sweep that ends timed mutes (modules/conversations/settings.ts) reads only muted rows.
    index('members_notifications_muted_idx').on(t.notificationsMutedUntil).where(sql`${t.notificationsMutedUntil} is not null`),
  ],
);

/** A device (or user) that has shown a private chat's access code. */
export const roomAccessGrants = pgTable(
  'room_access_grants',
  {
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    grantedAt: ts('granted_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.deviceId] })],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    clientId: text('client_id'),
    memberId: uuid('member_id').references(() => members.id),
    username: text('username'),
    verified: boolean('verified').notNull().default(false),
    type: text('type', { enum: ['normal', 'host', 'system', 'tip', 'pin', 'media'] }).notNull(),
    content: text('content').notNull(),
    replyToId: uuid('reply_to_id'),
    forwardedFromId: uuid('forwarded_from_id'),
    editedAt: ts('edited_at'),
    deletedAt: ts('deleted_at'),
    /** Sent by a silently hidden participant: shown to its author only. */
    hidden: boolean('hidden').notNull().default(false),
    /** What a paid message (tip, pin) cost, in cents. */
    amountCents: integer('amount_cents'),
    /** The photos sent with the message, as clients draw them (a copy of their `attachments` rows, written in the send's statement). */
    attachments: jsonb('attachments').$type<Attachment[]>(),
    createdAt: ts('created_at').notNull().defaultNow(),
    search: tsvector('search').generatedAlwaysAs(sql`to_tsvector('simple', content)`),
    /** Whether the text holds a web address: search's `has:link` filter reads it instead of the text. */
    hasLink: boolean('has_link').generatedAlwaysAs(sql`content ~* '(https?://|www\.)[^[:space:]]'`),
  },
  (t) => [
    index('messages_reply_idx').on(t.replyToId),
    uniqueIndex('messages_room_seq_key').on(t.roomId, t.seq),
    // A resend with the same client id is harmless: the insert conflicts and the first copy is returned.
    // Client ids belong to their sender: another participant's id never names this message.
    uniqueIndex('messages_room_member_client_key').on(t.roomId, t.memberId, t.clientId).where(sql`${t.memberId} is not null`),
    uniqueIndex('messages_room_memberless_client_key').on(t.roomId, t.clientId).where(sql`${t.memberId} is null`),
    // Full-text search (btree_gin, migration 0021): the room's key and the words in one GIN index, so a search in one
    // room intersects that room's entries with the word's instead of every message holding the word. The room is
    // indexed as text so that only that filter (`room_id::text = …`) reaches it: the join to the searcher's rooms
    // cannot drive it room by room (a rescan of a frequent word's entries per room); a search over all of them
    // reads the words alone, which a GIN index over several columns answers as well.
    index('messages_room_search_idx').using('gin', sql`(${t.roomId}::text)`, t.search),
    // Search, newest first: a frequent word is found by walking back in time until a page is full,
    // where the full-text index would fetch every message holding it.
    index('messages_created_idx').on(t.createdAt, t.id),
    // Search's has:link filter when it, not the words, narrows things down.
    index('messages_link_idx').on(t.roomId, t.createdAt).where(sql`${t.hasLink}`),
    // The sticky section's read: the newest host messages of a room, however many others came since.
    index('messages_host_idx').on(t.roomId, t.seq).where(sql`${t.type} = 'host'`),
  ],
);

/**
 * Every earlier version of an edited message (SPEC §4: the edit history is
 * kept and viewable): the text it had before the edit made at `edited_at`.
 */
/**
 * An uploaded photo (docs/architecture.md, "Media"): stored re-encoded under
 * `media/<id>-display.webp` and `media/<id>-thumb.webp`. `message_id` is null
 * until its uploader sends it; unsent uploads and the media of deleted
 * messages are swept.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['photo'] }).notNull(),
    mime: text('mime').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** Stored bytes of every variant together. */
    bytes: integer('bytes').notNull(),
    placeholder: text('placeholder').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('attachments_message_idx').on(t.messageId),
    index('attachments_unsent_idx').on(t.createdAt).where(sql`${t.messageId} is null`),
    index('attachments_member_created_idx').on(t.memberId, t.createdAt),
  ],
);

export const messageEdits = pgTable(
  'message_edits',
  {
    id: uuid('id').primaryKey(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    editedAt: ts('edited_at').notNull().defaultNow(),
  },
  (t) => [index('message_edits_message_idx').on(t.messageId, t.editedAt)],
);

/**
 * A group's invite link (SPEC §4): whoever holds the token may join while it
 * is neither revoked, expired nor used up. Uses are counted in the same
 * statement that checks the limit, so a limit of N admits exactly N.
 */
export const conversationInvites = pgTable(
  'conversation_invites',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    token: text('token').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at'),
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('conversation_invites_token_key').on(t.token), index('conversation_invites_room_idx').on(t.roomId, t.createdAt)],
);

/**
 * One account blocking another (SPEC §4). A block works both ways for
 * messaging, groups, invites, contact requests, presence and people search,
 * and hides the blocked person's messages, reactions and typing from the
 * blocker in pop chats. Keyed by the blocker; the second index answers "who
 * blocked me".
 */
export const userBlocks = pgTable(
  'user_blocks',
  {
    blockerId: uuid('blocker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    blockedId: uuid('blocked_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.blockerId, t.blockedId] }),
    index('user_blocks_blocked_idx').on(t.blockedId),
    check('user_blocks_not_self', sql`${t.blockerId} <> ${t.blockedId}`),
  ],
);

/**
 * Someone's address book (SPEC §4): one row per person they added, with their
 * own nickname and favourite star. One-sided: adding someone asks nothing of
 * them; an accepted contact request adds each to the other's.
 */
export const contacts = pgTable(
  'contacts',
  {
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    nickname: text('nickname'),
    favourite: boolean('favourite').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.ownerId, t.contactId] }),
    index('contacts_contact_idx').on(t.contactId),
    check('contacts_not_self', sql`${t.ownerId} <> ${t.contactId}`),
  ],
);

/**
 * A pending contact request. Answering it (accept, reject) or cancelling it
 * removes the row; accepting also adds each person to the other's contacts.
 */
export const contactRequests = pgTable(
  'contact_requests',
  {
    id: uuid('id').primaryKey(),
    fromId: uuid('from_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    toId: uuid('to_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contact_requests_pair_key').on(t.fromId, t.toId),
    index('contact_requests_to_idx').on(t.toId, t.createdAt),
    check('contact_requests_not_self', sql`${t.fromId} <> ${t.toId}`),
  ],
);

/**
 * "Delete for me" (Inbox): a message one member no longer sees, on any of
 * their devices. Keyed by the member and the message's seq (a member belongs
 * to one room), so a page's reads find the reader's hidden seqs with one
 * range scan of the key.
 */
export const messageHides = pgTable(
  'message_hides',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    hiddenAt: ts('hidden_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.seq] })],
);

/**
 * An @mention of a conversation member in a message (Inbox). A member's
 * mention badge counts the rows past their read watermark: one range scan of
 * the key, never a look at the messages. Rows go when the message is deleted
 * (for everyone, or for the mentioned member), and are written again on edit.
 */
export const messageMentions = pgTable(
  'message_mentions',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.seq] }), index('message_mentions_message_idx').on(t.messageId)],
);

/** The message pinned at the top of a conversation: at most one per room. */
export const pinnedMessages = pgTable('pinned_messages', {
  roomId: uuid('room_id')
    .primaryKey()
    .references(() => rooms.id, { onDelete: 'cascade' }),
  messageId: uuid('message_id')
    .notNull()
    .references(() => messages.id, { onDelete: 'cascade' }),
  pinnedByMemberId: uuid('pinned_by_member_id')
    .notNull()
    .references(() => members.id),
  pinnedAt: ts('pinned_at').notNull().defaultNow(),
});

/** One emoji by one participant on one message. */
export const reactions = pgTable(
  'reactions',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    emoji: text('emoji').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.memberId, t.emoji] })],
);

/** A participant's report of a message, for the host's queue (and later the admins'). */
export const reports = pgTable(
  'reports',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    reporterMemberId: uuid('reporter_member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    reason: text('reason', { enum: ['spam', 'harassment', 'hate', 'sexual', 'violence', 'other'] }).notNull(),
    note: text('note'),
    status: text('status', { enum: ['open', 'dismissed', 'actioned'] }).notNull().default('open'),
    createdAt: ts('created_at').notNull().defaultNow(),
    resolvedAt: ts('resolved_at'),
    resolvedByMemberId: uuid('resolved_by_member_id'),
  },
  (t) => [
    // Reporting the same message twice is one report.
    uniqueIndex('reports_message_reporter_key').on(t.messageId, t.reporterMemberId),
    index('reports_room_status_idx').on(t.roomId, t.status),
  ],
);

/**
 * A ban holds against the participation, its device, its account and its IP
 * (SPEC §2.4), so a fresh name from the same device or network is refused.
 */
export const bans = pgTable(
  'bans',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id').references(() => members.id, { onDelete: 'set null' }),
    userId: uuid('user_id'),
    deviceId: text('device_id'),
    ip: text('ip'),
    createdByMemberId: uuid('created_by_member_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    liftedAt: ts('lifted_at'),
  },
  (t) => [index('bans_room_idx').on(t.roomId)],
);

/**
 * The devices a signed-in participation was entered from (its join, and each
 * time `GET …/me` handed it a token): an anonymous participation names its
 * device itself, a signed-in one only here. A ban of either reaches the other
 * through it (docs/decisions.md, "A ban holds against the person").
 */
export const participationDevices = pgTable(
  'participation_devices',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    deviceId: text('device_id').notNull(),
    firstSeenAt: ts('first_seen_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.deviceId] }), index('participation_devices_device_idx').on(t.deviceId)],
);

/** Every moderation action and settings change, per room. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    actorMemberId: uuid('actor_member_id'),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    targetMemberId: uuid('target_member_id'),
    targetName: text('target_name'),
    messageId: uuid('message_id'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('audit_log_room_idx').on(t.roomId, t.createdAt)],
);

/**
 * The ledger (SPEC §2.8): one row per payment, amounts in minor units. The
 * platform fee and the host's net always add up to the amount. Status moves
 * only by conditional updates (pending → succeeded | failed | expired,
 * succeeded → refunded), which is what makes fulfilment happen once.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey(),
    /** The pop chat the payment is for. */
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    /** The payer's participation in that chat. */
    payerMemberId: uuid('payer_member_id')
      .notNull()
      .references(() => members.id),
    payerUserId: uuid('payer_user_id'),
    payerDeviceId: text('payer_device_id'),
    /** `u:<user id>` or `d:<device id>`: whose receipts, spending cap and idempotency keys. */
    payerKey: text('payer_key').notNull(),
    purpose: text('purpose', { enum: ['seat', 'pin', 'tip'] }).notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull().default('usd'),
    feeCents: integer('fee_cents').notNull(),
    netCents: integer('net_cents').notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed', 'expired', 'refunded'] }).notNull().default('pending'),
    provider: text('provider', { enum: ['test', 'stripe'] }).notNull(),
    /** The provider's id (a Stripe PaymentIntent id). */
    providerRef: text('provider_ref'),
    clientSecret: text('client_secret'),
    idempotencyKey: text('idempotency_key').notNull(),
    /** The request the key was first used with, to refuse the key with another body. */
    requestHash: text('request_hash').notNull(),
    /** A tip's note or a new pin's text. */
    note: text('note'),
    /** A pin's message (set when a new-text pin is fulfilled), a tip's message. */
    messageId: uuid('message_id'),
    failureReason: text('failure_reason'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    completedAt: ts('completed_at'),
    refundedAt: ts('refunded_at'),
  },
  (t) => [
    check('payments_amount_split', sql`${t.amountCents} = ${t.feeCents} + ${t.netCents}`),
    check('payments_amount_positive', sql`${t.amountCents} > 0 and ${t.feeCents} >= 0 and ${t.netCents} >= 0`),
    uniqueIndex('payments_payer_idempotency_key').on(t.payerKey, t.idempotencyKey),
    uniqueIndex('payments_provider_ref_key').on(t.provider, t.providerRef).where(sql`${t.providerRef} is not null`),
    index('payments_room_idx').on(t.roomId, t.createdAt),
    index('payments_payer_idx').on(t.payerKey, t.createdAt),
    index('payments_pending_idx').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
  ],
);

/**
 * Back Room seats (SPEC §2.5): `held` while the payment is pending, `active`
 * once paid, `released` when the payment failed or expired, `revoked` on a
 * refund. A purchase counts held and active seats under the pop chat's row
 * lock, so seats are never oversold.
 */
export const seats = pgTable(
  'seats',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    status: text('status', { enum: ['held', 'active', 'released', 'revoked'] }).notNull(),
    heldUntil: ts('held_until').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    activatedAt: ts('activated_at'),
    endedAt: ts('ended_at'),
  },
  (t) => [
    uniqueIndex('seats_payment_key').on(t.paymentId),
    // One live seat per participant.
    uniqueIndex('seats_room_member_live_key').on(t.roomId, t.memberId).where(sql`${t.status} in ('held', 'active')`),
    index('seats_room_status_idx').on(t.roomId, t.status),
  ],
);

/**
 * Paid pins (SPEC §2.6): `pending` while paid for (it holds the price),
 * `active` from payment until `pinned_until`, then `expired`; `removed` when
 * the host or a moderator took it down (or its author was banned or timed
 * out), `refunded`, or `released` when its payment never completed.
 */
export const pins = pgTable(
  'pins',
  {
    id: uuid('id').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    /** Null until a new-text pin is paid and its message written. */
    messageId: uuid('message_id').references(() => messages.id),
    amountCents: integer('amount_cents').notNull(),
    status: text('status', { enum: ['pending', 'active', 'expired', 'removed', 'refunded', 'released'] }).notNull(),
    heldUntil: ts('held_until').notNull(),
    pinnedAt: ts('pinned_at'),
    pinnedUntil: ts('pinned_until'),
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('pins_payment_key').on(t.paymentId),
    uniqueIndex('pins_message_live_key').on(t.messageId).where(sql`${t.status} in ('pending', 'active')`),
    index('pins_room_status_idx').on(t.roomId, t.status),
    index('pins_active_until_idx').on(t.pinnedUntil).where(sql`${t.status} = 'active'`),
  ],
);

export type PaymentRow = typeof payments.$inferSelect;
export type SeatRow = typeof seats.$inferSelect;
export type PinRow = typeof pins.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RoomRow = typeof rooms.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type ConversationInviteRow = typeof conversationInvites.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;
export type UserBlockRow = typeof userBlocks.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type ContactRequestRow = typeof contactRequests.$inferSelect;
export type MessageEditRow = typeof messageEdits.$inferSelect;
export type PinnedMessageRow = typeof pinnedMessages.$inferSelect;
export type ReportRow = typeof reports.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type BanRow = typeof bans.$inferSelect;
export type UsernameRow = typeof usernames.$inferSelect;
export type UsernameRollRow = typeof usernameRolls.$inferSelect;

/**
 * The notification centre (SPEC §4): one row per thing that happened to a
 * user, kept until read and after. A row with a `group_key` gathers later
 * events of the same kind and room while it is unread and younger than the
 * group window (`count`, and the newest message in `message_id`/`seq`); the
 * partial unique index makes that one upsert however many arrive at once.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', {
      enum: ['mention', 'reply', 'direct_message', 'contact_request', 'group_added', 'pin_outbid', 'tip_received'],
    }).notNull(),
    roomId: uuid('room_id').references(() => rooms.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    seq: integer('seq'),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorName: text('actor_name'),
    preview: text('preview').notNull().default(''),
    amountCents: integer('amount_cents'),
    count: integer('count').notNull().default(1),
    groupKey: text('group_key'),
    readAt: ts('read_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('notifications_user_updated_idx').on(t.userId, t.updatedAt.desc(), t.id.desc()),
    index('notifications_user_unread_idx').on(t.userId).where(sql`${t.readAt} is null`),
    uniqueIndex('notifications_open_group_key')
      .on(t.userId, t.groupKey)
      .where(sql`${t.readAt} is null and ${t.groupKey} is not null`),
  ],
);

/** A device's Web Push subscription (its browser's endpoint and keys), per account. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    userAgent: text('user_agent'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_key').on(t.endpoint), index('push_subscriptions_user_idx').on(t.userId)],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;
