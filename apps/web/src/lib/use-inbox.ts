'use client';

import {
  conversationResponseSchema,
  inboxSummarySchema,
  type ConversationDetail,
  type ConversationMember,
  type InboxUnreadPayload,
  type Member,
  type Message,
  type PinnedMessage,
  type PinUpdatedPayload,
  type ReceiptPayload,
} from '@chatpop/protocol';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError, api, errorMessage } from './api';
import type { LiveListener } from './chat-room';
import { applyReceipt } from './inbox';
import { accountConnection } from './inbox-connection';
import { InboxStore, type InboxSnapshot } from './inbox-store';
import { fetchSession } from './session';
import { createAccountSocket } from './socket';
import { useChatRoom } from './use-chat-room';

const IDLE: InboxSnapshot = {
  status: 'loading',
  error: null,
  needsUsername: false,
  conversations: [],
  hasMore: false,
  loadingMore: false,
  summary: null,
  connection: 'idle',
  removed: {},
  archive: { status: 'idle', error: null, conversations: [], hasMore: false },
  presence: {},
  typing: {},
  loose: {},
};
const noSubscribe = () => () => {};
const idle = () => IDLE;

/** The Inbox list and dashboard (inbox-store.ts), while `enabled` (signed in). */
export function useInbox(enabled: boolean) {
  const [store, setStore] = useState<InboxStore | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const next = new InboxStore(accountConnection());
    setStore(next);
    next.start();
    return () => {
      next.dispose();
      setStore(null);
    };
  }, [enabled]);
  const snapshot = useSyncExternalStore(store?.subscribe ?? noSubscribe, store?.getSnapshot ?? idle, idle);
  return { store, snapshot };
}

/** The total unread count for the header's Inbox entry, live; null until known (or without a username). */
export function useInboxUnread(enabled: boolean): number | null {
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const connection = accountConnection();
    let cancelled = false;
    let events = 0;
    const load = async () => {
      const since = events;
      try {
        const summary = await api.get('/api/inbox/summary', { schema: inboxSummarySchema });
        // An event that came after the request left is newer than its answer.
        if (!cancelled && events === since) setUnread(summary.unread);
      } catch {
        // No badge until the next try: no username yet, or the server is away.
      }
    };
    const onUnread = (totals: InboxUnreadPayload) => {
      events++;
      setUnread(totals.unread);
    };
    connection.socket.on('inbox:unread', onUnread);
    const offConnect = connection.onConnect(() => void load());
    const release = connection.acquire();
    void load();
    return () => {
      cancelled = true;
      connection.socket.off('inbox:unread', onUnread);
      offConnect();
      release();
    };
  }, [enabled]);
  return enabled ? unread : null;
}

export type ConversationLoad =
  | { status: 'loading' }
  | { status: 'ready'; conversation: ConversationDetail }
  | { status: 'error'; error: string; notFound: boolean };

/** The token a ChatRoom holds for an account connection: the cookie does the authorising. */
const ACCOUNT = 'account';
const accountAuth = () => ({ chatTokens: [] });

/**
 * One open conversation: its details (`GET /api/conversations/:id`), and its
 * messages through the pop chat's room client (history, replay, gap filling,
 * optimistic sends) on a connection authorised by the account. The members'
 * watermarks follow the `receipt` events, the pinned message `pin:updated`
 * (and the edits of it), and both are fetched again after a reconnect.
 */
export function useConversation(id: string, onLive?: LiveListener) {
  const [load, setLoad] = useState<ConversationLoad>({ status: 'loading' });
  const [members, setMembers] = useState<ConversationMember[]>([]);
  const [pinnedMessage, setPinnedMessage] = useState<PinnedMessage | null>(null);

  const fetchDetail = useCallback(async () => {
    try {
      const { conversation } = await api.get(`/api/conversations/${encodeURIComponent(id)}`, { schema: conversationResponseSchema });
      setLoad({ status: 'ready', conversation });
      setMembers(conversation.members);
      setPinnedMessage(conversation.pinnedMessage);
    } catch (error) {
      const notFound = error instanceof ApiError && (error.code === 'CONVERSATION_NOT_FOUND' || error.status === 404 || error.code === 'VALIDATION_FAILED');
      setLoad((current) => (current.status === 'ready' && !notFound ? current : { status: 'error', error: errorMessage(error), notFound }));
    }
  }, [id]);

  useEffect(() => {
    setLoad({ status: 'loading' });
    setMembers([]);
    setPinnedMessage(null);
    void fetchDetail();
  }, [fetchDetail]);

  const onReceipt = useRef<(receipt: ReceiptPayload) => void>(() => {});
  const onPin = useRef<(payload: PinUpdatedPayload) => void>(() => {});
  const onUpdated = useRef<(message: Message) => void>(() => {});
  const onReconnect = useRef<() => void>(() => {});
  useEffect(() => {
    onReceipt.current = (receipt) => {
      if (receipt.roomId === id) setMembers((current) => applyReceipt(current, receipt));
    };
    onPin.current = (payload) => {
      if (payload.roomId === id) setPinnedMessage(payload.pinned);
    };
    // The pinned message was edited: the banner shows its new text.
    onUpdated.current = (message) => {
      if (message.roomId === id) setPinnedMessage((current) => (current && current.message.id === message.id ? { ...current, message } : current));
    };
    onReconnect.current = () => void fetchDetail();
  }, [id, fetchDetail]);

  const openSocket = useCallback(() => {
    const socket = createAccountSocket();
    socket.on('receipt', (receipt) => onReceipt.current(receipt));
    socket.on('pin:updated', (payload) => onPin.current(payload));
    socket.on('message:updated', (message) => onUpdated.current(message));
    let connects = 0;
    // Receipts sent while this connection was away came as no event.
    socket.on('connect', () => {
      if (connects++ > 0) onReconnect.current();
    });
    return socket;
  }, []);

  const refreshToken = useCallback(async () => {
    const session = await fetchSession();
    if (session.status === 'unknown') throw new Error(session.error);
    return session.status === 'signed-in' ? ACCOUNT : null;
  }, []);

  const conversation = load.status === 'ready' ? load.conversation : null;
  const myMemberId = conversation?.myMemberId ?? null;
  const myRole = conversation?.myRole ?? null;
  const mine = conversation?.members.find((m) => m.memberId === myMemberId) ?? null;
  const myUsername = mine?.username ?? null;
  const myJoinedAt = mine?.joinedAt ?? null;
  // The room client's idea of "me": the account's member in this conversation.
  const member = useMemo<Member | null>(
    () =>
      myMemberId && myUsername && myRole && myJoinedAt
        ? { id: myMemberId, roomId: id, username: myUsername, role: myRole, verified: true, anonymous: false, joinedAt: myJoinedAt }
        : null,
    [id, myMemberId, myUsername, myRole, myJoinedAt],
  );

  const { room, snapshot } = useChatRoom({
    code: id,
    roomId: id,
    member,
    token: member ? ACCOUNT : null,
    refreshToken,
    onLive,
    historyPath: `/api/conversations/${encodeURIComponent(id)}/messages`,
    openSocket,
    socketAuth: accountAuth,
  });

  /** A change this client made answered with the conversation as it now is. */
  const apply = useCallback((conversation: ConversationDetail) => {
    setLoad({ status: 'ready', conversation });
    setMembers(conversation.members);
    setPinnedMessage(conversation.pinnedMessage);
  }, []);

  return { load, members, pinnedMessage, setPinnedMessage, room, snapshot, reload: fetchDetail, apply };
}
