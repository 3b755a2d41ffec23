import { z } from 'zod';
import { THEMES } from './chats';
import { pinnedMessageSchema } from './inbox-actions';
import { messageSchema } from './messages';

/**
 * The Inbox (SPEC §4): direct and group conversations between account
 * holders. A conversation is a room of kind `direct` or `group` on the same
 * messaging core as pop chats: messages, `message:send`, `room:join
 * {afterSeq}` replay, `message:range` and history pages are the core's, with
 * the conversation's id as the room id.
 *
 * Taking part needs a reserved username (the only name other people can find
 * an account by; emails are never shown): without one, every Inbox route
 * answers 403 USERNAME_REQUIRED.
 */

export const CONVERSATION_KINDS = ['direct', 'group'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

export const CONVERSATION_ROLES = ['admin', 'member'] as const;
export type ConversationRole = (typeof CONVERSATION_ROLES)[number];

export const GROUP_NAME_MAX_CHARS = 100;
export const GROUP_DESCRIPTION_MAX_CHARS = 500;
/** A group has its creator and at least this many others (SPEC §4: at least 3 participants). */
export const GROUP_MIN_OTHERS = 2;
/** Everyone in a group, its creator included. */
export const GROUP_MAX_MEMBERS = 256;
/** Conversations per page of `GET /api/conversations`. */
export const CONVERSATION_PAGE_SIZE = 30;
/** How many other members a conversation summary names. */
export const MEMBERS_PREVIEW_MAX = 4;
/** How many people `GET /api/users/search` returns. */
export const USER_SEARCH_LIMIT = 20;
export const USER_SEARCH_MAX_CHARS = 50;
/** Longest last-message preview in a summary, in characters. */
export const PREVIEW_MAX_CHARS = 200;
/**
 * Unread counts stop counting here: a badge shows "99+" and the totals are
 * sums of the per-conversation counts, so they are "at least" figures past it.
 */
export const UNREAD_COUNT_MAX = 100;

const userId = z.string().uuid('Unknown user.');

// ---- group settings ---------------------------------------------------------

export const GROUP_PERMISSION_LEVELS = ['everyone', 'admins'] as const;
export type GroupPermissionLevel = (typeof GROUP_PERMISSION_LEVELS)[number];

/** Who may do what in a group; stored in the room's settings. A direct conversation has none. */
export const groupPermissionsSchema = z.object({
  send: z.enum(GROUP_PERMISSION_LEVELS).default('everyone'),
  addMembers: z.enum(GROUP_PERMISSION_LEVELS).default('admins'),
  editInfo: z.enum(GROUP_PERMISSION_LEVELS).default('admins'),
});
export type GroupPermissions = z.infer<typeof groupPermissionsSchema>;
export const DEFAULT_GROUP_PERMISSIONS: GroupPermissions = { send: 'everyone', addMembers: 'admins', editInfo: 'admins' };

// ---- people -----------------------------------------------------------------

/** An account as other account holders see it: never its email. */
export const personSchema = z.object({
  userId: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
});
export type Person = z.infer<typeof personSchema>;

export const userSearchQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(1, 'Type part of a username or display name.')
    .max(USER_SEARCH_MAX_CHARS, `Search with at most ${USER_SEARCH_MAX_CHARS} characters.`),
});

/**
 * `GET /api/users/search?q=`: people whose username or display name starts
 * with `q` (case-insensitive), yourself excluded, at most USER_SEARCH_LIMIT.
 */
export const userSearchResultSchema = z.object({
  users: z.array(
    personSchema.extend({
      /** Your direct conversation with them, when you have one. */
      directConversationId: z.string().nullable(),
    }),
  ),
});
export type UserSearchResult = z.infer<typeof userSearchResultSchema>;

// ---- conversations ----------------------------------------------------------

/** A member of a conversation. */
export const conversationMemberSchema = personSchema.extend({
  /** The member id that messages carry as `memberId`. */
  memberId: z.string(),
  role: z.enum(CONVERSATION_ROLES),
  joinedAt: z.string(),
  /**
   * How far this member has read (a seq). Null where privacy withholds it:
   * the member hides read receipts, or you do (SPEC §4, both ways). Your own
   * is always shown to you.
   */
  readSeq: z.number().int().nullable(),
  /** How far this member's devices have received messages (a seq). */
  deliveredSeq: z.number().int(),
});
export type ConversationMember = z.infer<typeof conversationMemberSchema>;

export const lastMessagePreviewSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  type: z.string(),
  memberId: z.string().nullable(),
  username: z.string().nullable(),
  /** Sent by you. */
  mine: z.boolean(),
  /** At most PREVIEW_MAX_CHARS; empty once deleted. */
  content: z.string(),
  deleted: z.boolean(),
  createdAt: z.string(),
});
export type LastMessagePreview = z.infer<typeof lastMessagePreviewSchema>;

/**
 * One row of the conversation list, as the signed-in user sees it. For a
 * direct conversation, `name` and `avatarUrl` are the other person's.
 */
export const conversationSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(CONVERSATION_KINDS),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  description: z.string(),
  /** Up to MEMBERS_PREVIEW_MAX other members, oldest first: in a direct conversation, the other person. */
  members: z.array(personSchema),
  memberCount: z.number().int(),
  lastMessage: lastMessagePreviewSchema.nullable(),
  /** The room's newest seq. */
  lastSeq: z.number().int(),
  /** The newest message's time, or the creation time before any message. */
  lastActivityAt: z.string(),
  /**
   * Messages after your read watermark that others sent (system messages and
   * deleted ones not counted), at most UNREAD_COUNT_MAX.
   */
  unreadCount: z.number().int(),
  /** Marked unread by you (`POST …/unread`); cleared by the next read. */
  markedUnread: z.boolean(),
  /**
   * Messages after your read watermark that @mention you (not deleted, not
   * deleted by you for yourself), at most MENTION_COUNT_MAX.
   */
  mentionCount: z.number().int(),
  /**
   * Muted by you (`POST …/mute`): until `mutedUntil`, or until you unmute
   * when `mutedUntil` is null. A muted conversation's unread messages stay in
   * its own `unreadCount` but leave your totals.
   */
  muted: z.boolean(),
  mutedUntil: z.string().nullable(),
  /** In your archive (`POST …/archive`): listed with `?archived=true`; a new message brings it back unless muted. */
  archived: z.boolean(),
  /** Pinned by you to the top of your list (at most CONVERSATION_PIN_LIMIT). */
  pinned: z.boolean(),
  myRole: z.enum(CONVERSATION_ROLES),
  myMemberId: z.string(),
  /** Your own watermarks (seq). */
  readSeq: z.number().int(),
  deliveredSeq: z.number().int(),
  createdAt: z.string(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export const conversationDetailSchema = conversationSummarySchema.extend({
  /** Every member, oldest first, with watermarks as privacy allows. */
  members: z.array(conversationMemberSchema),
  /** Null for a direct conversation. */
  permissions: groupPermissionsSchema.nullable(),
  theme: z.enum(THEMES),
  /**
   * The message pinned at the top of the conversation, or null (also when you
   * deleted it for yourself). Not `pinned`, which says you pinned the
   * conversation in your list.
   */
  pinnedMessage: pinnedMessageSchema.nullable(),
  /**
   * How long after sending its author may edit a message, by the server's
   * clock (the runtime setting `messageEditWindowSeconds`; 0: no edits).
   */
  editWindowSeconds: z.number().int().min(0),
});
export type ConversationDetail = z.infer<typeof conversationDetailSchema>;

export const conversationListQuerySchema = z.object({
  /** `true`: the archive instead of the list. */
  archived: z
    .enum(['true', 'false'], 'archived is true or false.')
    .default('false')
    .transform((v) => v === 'true'),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(CONVERSATION_PAGE_SIZE).default(CONVERSATION_PAGE_SIZE),
});

/**
 * `GET /api/conversations`: pinned conversations first, then by last
 * activity, newest first. `nextCursor` is null on the last page.
 */
export const conversationListSchema = z.object({
  conversations: z.array(conversationSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ConversationList = z.infer<typeof conversationListSchema>;

/** `POST /api/conversations/direct`: the other person by username or by id. Creating it again returns the same one. */
export const createDirectBodySchema = z
  .object({
    username: z.string().trim().min(1).max(100).optional(),
    userId: userId.optional(),
  })
  .strict()
  .refine((b) => (b.username === undefined) !== (b.userId === undefined), 'Name the other person by username or by user id.');
export type CreateDirectBody = z.input<typeof createDirectBodySchema>;

/**
 * `POST /api/conversations/groups`: the others by user id and/or username
 * (at least GROUP_MIN_OTHERS besides you). A blank name is generated from
 * the members' names.
 */
export const createGroupBodySchema = z
  .object({
    name: z
      .string()
      .trim()
      .max(GROUP_NAME_MAX_CHARS, `A group name can have at most ${GROUP_NAME_MAX_CHARS} characters.`)
      .optional(),
    description: z
      .string()
      .trim()
      .max(GROUP_DESCRIPTION_MAX_CHARS, `A description can have at most ${GROUP_DESCRIPTION_MAX_CHARS} characters.`)
      .default(''),
    memberIds: z.array(userId).max(GROUP_MAX_MEMBERS, `A group can have at most ${GROUP_MAX_MEMBERS} members.`).default([]),
    usernames: z
      .array(z.string().trim().min(1).max(100))
      .max(GROUP_MAX_MEMBERS, `A group can have at most ${GROUP_MAX_MEMBERS} members.`)
      .default([]),
    permissions: groupPermissionsSchema.partial().strict().optional(),
  })
  .strict();
export type CreateGroupBody = z.input<typeof createGroupBodySchema>;

/**
 * `PATCH /api/conversations/:id` (groups): the name and description, by
 * those the group's `editInfo` allows; `permissions` (only the fields given
 * change) by admins alone. System messages record each change.
 */
export const updateGroupBodySchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Give the group a name.')
      .max(GROUP_NAME_MAX_CHARS, `A group name can have at most ${GROUP_NAME_MAX_CHARS} characters.`)
      .optional(),
    description: z
      .string()
      .trim()
      .max(GROUP_DESCRIPTION_MAX_CHARS, `A description can have at most ${GROUP_DESCRIPTION_MAX_CHARS} characters.`)
      .optional(),
    permissions: groupPermissionsSchema.partial().strict().optional(),
  })
  .strict();
export type UpdateGroupBody = z.input<typeof updateGroupBodySchema>;

/** `POST /api/conversations/:id/members`: people to add to a group, by the group's `addMembers` rule. */
export const addMembersBodySchema = z
  .object({
    memberIds: z.array(userId).max(GROUP_MAX_MEMBERS).default([]),
    usernames: z.array(z.string().trim().min(1).max(100)).max(GROUP_MAX_MEMBERS).default([]),
  })
  .strict()
  .refine((b) => b.memberIds.length + b.usernames.length > 0, 'Name at least one person to add.');
export type AddMembersBody = z.input<typeof addMembersBodySchema>;

/** `POST /api/conversations/:id/members/:userId/role`: promote to admin or demote to member (admins only). */
export const memberRoleBodySchema = z.object({ role: z.enum(CONVERSATION_ROLES) }).strict();
export type MemberRoleBody = z.infer<typeof memberRoleBodySchema>;

/** `POST /api/conversations` replies: the conversation, and whether this request made it. */
export const conversationCreatedSchema = z.object({
  conversation: conversationDetailSchema,
  created: z.boolean(),
});
export type ConversationCreated = z.infer<typeof conversationCreatedSchema>;

export const conversationResponseSchema = z.object({ conversation: conversationDetailSchema });
export type ConversationResponse = z.infer<typeof conversationResponseSchema>;

/**
 * `POST /api/conversations/:id/read {seq}`: you have read up to `seq`. The
 * watermark only moves forward (an older seq changes nothing); a seq past the
 * conversation's last is refused with 400 SEQ_OUT_OF_RANGE.
 */
export const markReadBodySchema = z.object({ seq: z.number().int().min(0) }).strict();
export type MarkReadBody = z.infer<typeof markReadBodySchema>;

/** `POST …/read` and `POST …/unread` reply with your summary as it now is. */
export const conversationSummaryResponseSchema = z.object({ conversation: conversationSummarySchema });

/** `GET /api/inbox/summary`: the dashboard's counts. */
export const inboxSummarySchema = z.object({
  /** Conversations you are in, archived ones included. */
  conversations: z.number().int(),
  /** Of those, the ones in your archive. */
  archived: z.number().int(),
  /** Messages you have sent in them. */
  messagesSent: z.number().int(),
  /** Sum of the conversations' unread counts, muted conversations left out. */
  unread: z.number().int(),
  /** Conversations with unread messages or marked unread, muted ones left out. */
  unreadConversations: z.number().int(),
  /** Sum of the conversations' mention counts: unread messages that @mention you. */
  mentions: z.number().int(),
});
export type InboxSummary = z.infer<typeof inboxSummarySchema>;

// ---- edits ------------------------------------------------------------------

/**
 * Editing your own message in a conversation, within the edit window (the
 * runtime setting `messageEditWindowSeconds`, 15 minutes by default, by the
 * server clock). Every earlier version is kept; members see them all.
 * `PATCH /api/conversations/:id/messages/:messageId {content}` or the socket's
 * `message:edit {roomId, messageId, content}`; both answer `{message}` and the
 * room gets `message:updated` with `editedAt` set.
 */
export const editMessageBodySchema = z.object({ content: z.string() }).strict();
export const messageEditSchema = z
  .object({
    roomId: z.string().uuid('Unknown conversation.'),
    messageId: z.string().uuid('Unknown message.'),
    content: z.string(),
  })
  .strict();

/** One earlier text of an edited message: written at `from`, replaced at `until`. */
export const messageVersionSchema = z.object({ content: z.string(), from: z.string(), until: z.string() });

/** `GET /api/conversations/:id/messages/:messageId/edits`: the message now, and every earlier version, oldest first. */
export const messageEditsSchema = z.object({
  message: messageSchema,
  versions: z.array(messageVersionSchema),
});
export type MessageEdits = z.infer<typeof messageEditsSchema>;

// ---- socket payloads --------------------------------------------------------

/**
 * `receipt:read` and `receipt:delivered` (client → server, with an ack): one
 * watermark for everything up to `seq`, sent once for a batch of messages,
 * never once per message. Either only moves forward; a seq past the last is
 * refused. Works for any conversation of the signed-in account, joined or not.
 */
export const receiptBodySchema = z
  .object({
    roomId: z.string().uuid('Unknown conversation.'),
    seq: z.number().int().min(0),
  })
  .strict();
export type ReceiptBody = z.infer<typeof receiptBodySchema>;

/** The ack of `receipt:read` / `receipt:delivered`: your watermarks now. */
export interface ReceiptAck {
  roomId: string;
  readSeq: number;
  deliveredSeq: number;
}

/**
 * `receipt` (server → the conversation's joined connections): one member's
 * watermarks moved. `readSeq` is null where privacy withholds it (the reader
 * hides read receipts, or you do); a read that privacy hides from everyone is
 * not announced at all.
 */
export interface ReceiptPayload {
  roomId: string;
  userId: string;
  memberId: string;
  readSeq: number | null;
  deliveredSeq: number;
}

/**
 * `conversation:new` and `conversation:updated` (server → every connection of
 * the signed-in user): a conversation appeared in your list, or its summary
 * changed (a new message, read state from another of your devices). Equal to
 * that conversation's row in a fresh `GET /api/conversations`.
 */
export interface ConversationEventPayload {
  conversation: ConversationSummary;
}

/**
 * `conversation:removed` (server → every connection of the user): you are no
 * longer in this conversation (you left, or an admin removed you); drop it
 * from the list. Its room events stop.
 */
export interface ConversationRemovedPayload {
  conversationId: string;
  reason: 'left' | 'removed';
}

/** `inbox:unread` (server → every connection of the user): the totals of `GET /api/inbox/summary`. */
export interface InboxUnreadPayload {
  unread: number;
  unreadConversations: number;
  mentions: number;
}

// ---- Invite links -----------------------------------------------------------

/** How long a new invite link works, in hours (null: until revoked). */
export const INVITE_EXPIRY_HOURS = [1, 24, 168] as const;
export const INVITE_MAX_USES_LIMIT = 1000;

export const createInviteBodySchema = z
  .object({
    expiresInHours: z
      .union([z.literal(1), z.literal(24), z.literal(168), z.null()], { message: 'An invite lasts 1 hour, 1 day, 7 days or until revoked.' })
      .default(168),
    maxUses: z
      .number('The use limit is a number.')
      .int('The use limit is a whole number.')
      .min(1, 'An invite needs at least one use.')
      .max(INVITE_MAX_USES_LIMIT, `An invite can allow at most ${INVITE_MAX_USES_LIMIT} uses.`)
      .nullable()
      .default(null),
  })
  .strict();
export type CreateInviteBody = z.infer<typeof createInviteBodySchema>;

export const inviteSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  /** The secret part of the link `/join/<token>`. */
  token: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  expiresAt: z.string().nullable(),
  maxUses: z.number().int().nullable(),
  uses: z.number().int(),
});
export type Invite = z.infer<typeof inviteSchema>;

/** What the holder of a link sees before joining. */
export const invitePreviewSchema = z.object({
  conversationId: z.string(),
  name: z.string(),
  description: z.string(),
  avatarUrl: z.string().nullable(),
  memberCount: z.number().int(),
  /** The viewer is in the group already. */
  member: z.boolean(),
});
export type InvitePreview = z.infer<typeof invitePreviewSchema>;

export const inviteTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'This invite link is not valid.');
