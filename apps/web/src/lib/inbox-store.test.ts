import type { ClientToServerEvents, ConversationSummary, InboxSummary, ServerToClientEvents, UserPresence } from '@chatpop/protocol';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountConnection } from './inbox-connection';
import { InboxStore } from './inbox-store';
import { createAccountSocket } from './socket';

/**
 * The Inbox store over a real Socket.IO connection to a small in-process
 * server speaking the per-user events of docs/api.md, with the REST list and
 * summary answered from the same state: events land in the list in order,
 * delivery is acknowledged once for a batch, a read goes out as one
 * watermark, and a reconnect fetches what was missed.
 */

const ME = 'member-me';
let io: Server<ClientToServerEvents, ServerToClientEvents>;
let port = 0;
let clients: Array<Socket<ClientToServerEvents, ServerToClientEvents>> = [];
const state = {
  conversations: [] as ConversationSummary[],
  summary: { conversations: 0, archived: 0, messagesSent: 0, unread: 0, unreadConversations: 0, mentions: 0 } as InboxSummary,
  listFetches: 0,
  receipts: [] as Array<{ kind: 'read' | 'delivered'; roomId: string; seq: number }>,
  presence: {} as Record<string, UserPresence>,
  presenceAsked: [] as string[][],
  posts: [] as Array<{ path: string; body: unknown }>,
};

function row(id: string, lastSeq: number, extra: Partial<ConversationSummary> = {}): ConversationSummary {
  const at = new Date(Date.UTC(2026, 2, 10, 12, 0, lastSeq)).toISOString();
  return {
    id,
    kind: 'direct',
    name: `Person ${id}`,
    avatarUrl: null,
    description: '',
    members: [],
    memberCount: 2,
    lastMessage: lastSeq > 0 ? { id: `m-${id}-${lastSeq}`, seq: lastSeq, type: 'normal', memberId: 'them', username: 'them', mine: false, content: `message ${lastSeq}`, deleted: false, createdAt: at } : null,
    lastSeq,
    lastActivityAt: at,
    unreadCount: lastSeq,
    markedUnread: false,
    mentionCount: 0,
    muted: false,
    mutedUntil: null,
    archived: false,
    pinned: false,
    myRole: 'member',
    myMemberId: ME,
    readSeq: 0,
    deliveredSeq: 0,
    createdAt: at,
    ...extra,
  };
}

beforeAll(async () => {
  const http = createServer();
  io = new Server(http, { cors: { origin: true, credentials: true } });
  io.on('connection', (socket) => {
    clients.push(socket);
    for (const kind of ['read', 'delivered'] as const) {
      socket.on(`receipt:${kind}`, ({ roomId, seq }, ack) => {
        state.receipts.push({ kind, roomId, seq });
        ack({ ok: true, roomId, readSeq: kind === 'read' ? seq : 0, deliveredSeq: seq });
      });
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
});

afterAll(async () => {
  await io.close();
});

let store: InboxStore | null = null;

beforeEach(() => {
  state.conversations = [];
  state.summary = { conversations: 0, archived: 0, messagesSent: 0, unread: 0, unreadConversations: 0, mentions: 0 };
  state.listFetches = 0;
  state.receipts = [];
  state.presence = {};
  state.presenceAsked = [];
  state.posts = [];
  clients = [];
  vi.stubEnv('NEXT_PUBLIC_SOCKET_URL', `http://127.0.0.1:${port}`);
  vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
    const url = new URL(input, 'http://web.test');
    const archived = url.searchParams.get('archived') === 'true';
    const preference = /^\/api\/conversations\/([^/]+)\/(pin|unpin|archive|unarchive|mute|unmute)$/.exec(url.pathname);
    let body: unknown = null;
    if (init?.method === 'POST' && preference) {
      state.posts.push({ path: url.pathname, body: JSON.parse(String(init.body ?? '{}')) });
      const [, id, action] = preference;
      const current = state.conversations.find((c) => c.id === id)!;
      const next = { ...current, pinned: action === 'pin' ? true : action === 'unpin' ? false : current.pinned, archived: action === 'archive' ? true : action === 'unarchive' ? false : current.archived };
      state.conversations = state.conversations.map((c) => (c.id === id ? next : c));
      body = { conversation: next };
    } else if (url.pathname === '/api/conversations') {
      state.listFetches++;
      body = { conversations: state.conversations.filter((c) => c.archived === archived), nextCursor: null };
    } else if (url.pathname === '/api/inbox/summary') {
      body = state.summary;
    } else if (url.pathname === '/api/presence') {
      const ids = url.searchParams.get('userIds')!.split(',');
      state.presenceAsked.push(ids);
      body = { presence: ids.flatMap((id) => state.presence[id] ?? []) };
    }
    return new Response(JSON.stringify(body ?? { error: { code: 'NOT_FOUND', message: 'No such route.' } }), {
      status: body ? 200 : 404,
      headers: { 'content-type': 'application/json' },
    });
  });
});

afterEach(() => {
  store?.dispose();
  store = null;
  for (const client of clients) client.disconnect(true);
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startedStore(): Promise<InboxStore> {
  const connection = new AccountConnection(async () => 'ok', createAccountSocket({ reconnection: false }));
  store = new InboxStore(connection);
  store.start();
  await waitFor(() => store!.getSnapshot().status === 'ready' && store!.getSnapshot().connection === 'connected', 'the list and the connection');
  return store;
}

const ids = (s: InboxStore) => s.getSnapshot().conversations.map((c) => c.id);

describe('InboxStore', () => {
  it('shows the fetched list, then applies new and updated conversations and unread totals as they come', async () => {
    state.conversations = [row('a', 2), row('b', 1)];
    state.summary = { conversations: 2, archived: 0, messagesSent: 0, unread: 3, unreadConversations: 2, mentions: 0 };
    const s = await startedStore();
    expect(ids(s)).toEqual(['a', 'b']);
    await waitFor(() => s.getSnapshot().summary?.unread === 3, 'the summary');

    io.emit('conversation:new', { conversation: row('c', 1, { lastActivityAt: new Date(Date.UTC(2026, 2, 10, 13)).toISOString() }) });
    await waitFor(() => ids(s).length === 3, 'the new conversation');
    expect(ids(s)).toEqual(['c', 'a', 'b']);

    io.emit('conversation:updated', { conversation: row('b', 9, { lastActivityAt: new Date(Date.UTC(2026, 2, 10, 14)).toISOString() }) });
    io.emit('inbox:unread', { unread: 12, unreadConversations: 3, mentions: 0 });
    await waitFor(() => ids(s)[0] === 'b' && s.getSnapshot().summary?.unread === 12, 'the update and the totals');
    expect(ids(s)).toEqual(['b', 'c', 'a']);
    expect(s.getSnapshot().conversations[0]!.lastSeq).toBe(9);

    io.emit('conversation:removed', { conversationId: 'c', reason: 'removed' });
    await waitFor(() => ids(s).length === 2, 'the removal');
    expect(s.getSnapshot().removed).toEqual({ c: 'removed' });
  });

  it('acknowledges delivery of what the list shows, once per conversation and never what I sent', async () => {
    state.conversations = [row('a', 4), row('mine', 3, { lastMessage: { ...row('x', 3).lastMessage!, mine: true } }), row('seen', 2, { deliveredSeq: 2 })];
    await startedStore();
    await waitFor(() => state.receipts.length >= 1, 'the delivery receipt');
    io.emit('conversation:updated', { conversation: row('a', 5) });
    io.emit('conversation:updated', { conversation: row('a', 6) });
    await waitFor(() => state.receipts.some((r) => r.seq === 6), 'the later delivery');
    const delivered = state.receipts.filter((r) => r.kind === 'delivered');
    expect(delivered.every((r) => r.roomId === 'a')).toBe(true);
    // The first, then at most one more per batch that arrived while it was in flight.
    expect(delivered.map((r) => r.seq)[0]).toBe(4);
    expect(delivered.length).toBeLessThanOrEqual(3);
  });

  it('reads with one watermark and shows the conversation read at once', async () => {
    state.conversations = [row('a', 5)];
    const s = await startedStore();
    s.markRead('a', 3);
    s.markRead('a', 4);
    s.markRead('a', 5);
    expect(s.getSnapshot().conversations[0]!.unreadCount).toBe(0);
    await waitFor(() => state.receipts.some((r) => r.kind === 'read' && r.seq === 5), 'the read receipt');
    const reads = state.receipts.filter((r) => r.kind === 'read').map((r) => r.seq);
    expect(reads).toEqual([3, 5]);
  });

  it('fetches the list again after the connection comes back', async () => {
    state.conversations = [row('a', 1)];
    const s = await startedStore();
    const fetchesBefore = state.listFetches;
    state.conversations = [row('a', 1), row('while-away', 1, { lastActivityAt: new Date(Date.UTC(2026, 2, 11)).toISOString() })];
    for (const client of clients) client.disconnect(true);
    await waitFor(() => ids(s).includes('while-away'), 'the refetch after the reconnect', 8_000);
    expect(state.listFetches).toBeGreaterThan(fetchesBefore);
    expect(s.getSnapshot().connection).toBe('connected');
  }, 12_000);

  it('fetches the presence of the people in direct conversations and follows their events', async () => {
    const person = (userId: string) => ({ userId, username: userId, displayName: null, avatarUrl: null });
    state.conversations = [row('a', 1, { members: [person('ann')] }), row('g', 1, { kind: 'group', members: [person('bob'), person('cy')] })];
    state.presence = { ann: { userId: 'ann', status: 'offline', lastSeenAt: '2026-03-10T11:00:00.000Z' } };
    const s = await startedStore();
    await waitFor(() => s.getSnapshot().presence.ann !== undefined, 'the fetched presence');
    // Groups show no dot in the list: only the direct conversation's person is asked for.
    expect(new Set(state.presenceAsked.flat())).toEqual(new Set(['ann']));
    io.emit('user:presence', { userId: 'ann', status: 'busy', lastSeenAt: null });
    await waitFor(() => s.getSnapshot().presence.ann?.status === 'busy', 'the presence event');
    // A new conversation brings its person's presence.
    state.presence.dee = { userId: 'dee', status: 'online', lastSeenAt: null };
    io.emit('conversation:new', { conversation: row('d', 1, { members: [person('dee')] }) });
    await waitFor(() => s.getSnapshot().presence.dee?.status === 'online', 'the new person');
  });

  it('shows who is typing per conversation, never me, and forgets a typist who sent or stopped', async () => {
    state.conversations = [row('g', 1, { kind: 'group' })];
    const s = await startedStore();
    io.emit('typing', { roomId: 'g', memberId: 'm-bob', username: 'bob', typing: true });
    io.emit('typing', { roomId: 'g', memberId: 'm-cy', username: 'cy', typing: true });
    io.emit('typing', { roomId: 'g', memberId: ME, username: 'me', typing: true });
    io.emit('typing', { roomId: 'not-mine', memberId: 'm-x', username: 'x', typing: true });
    await waitFor(() => s.getSnapshot().typing.g?.length === 2, 'two typists');
    expect(s.getSnapshot().typing).toEqual({ g: ['bob', 'cy'] });
    io.emit('typing', { roomId: 'g', memberId: 'm-cy', username: 'cy', typing: false });
    await waitFor(() => s.getSnapshot().typing.g?.length === 1, 'one stopped');
    const sent = row('g', 2, { kind: 'group', lastMessage: { ...row('g', 2).lastMessage!, memberId: 'm-bob' } });
    io.emit('conversation:updated', { conversation: sent });
    await waitFor(() => s.getSnapshot().typing.g === undefined, 'the typist who sent');
  });

  it('keeps the archive apart and moves rows between it and the list as they change; my own change shows at once', async () => {
    state.conversations = [row('a', 2), row('b', 1), row('old', 1, { archived: true })];
    const s = await startedStore();
    expect(ids(s)).toEqual(['a', 'b']);
    await s.loadArchive();
    expect(s.getSnapshot().archive.conversations.map((c) => c.id)).toEqual(['old']);

    const archived = await s.setPreference('b', { action: 'archive' });
    expect(archived.archived).toBe(true);
    expect(state.posts).toEqual([{ path: '/api/conversations/b/archive', body: {} }]);
    expect(ids(s)).toEqual(['a']);
    expect(s.getSnapshot().archive.conversations.map((c) => c.id).sort()).toEqual(['b', 'old']);

    // A message brings one back (the event says so).
    io.emit('conversation:updated', { conversation: row('old', 5, { archived: false }) });
    await waitFor(() => ids(s).includes('old'), 'back from the archive');
    expect(s.getSnapshot().archive.conversations.map((c) => c.id)).toEqual(['b']);

    await s.setPreference('a', { action: 'pin' });
    expect(ids(s)[0]).toBe('a');
    expect(s.getSnapshot().conversations[0]!.pinned).toBe(true);
  });
});
