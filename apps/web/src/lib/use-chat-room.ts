'use client';

import type { Member } from '@chatpop/protocol';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ChatRoom, type ChatRoomOptions, type ChatRoomSnapshot, type LiveListener } from './chat-room';

const IDLE_SNAPSHOT: ChatRoomSnapshot = {
  items: [],
  catchingUp: false,
  missed: [],
  hostMessages: [],
  connection: 'idle',
  unreachable: false,
  connectionTried: false,
  joined: false,
  typingNames: [],
  online: null,
  onlineCount: null,
  history: { status: 'loading', error: null, hasMore: false, loadingOlder: false, olderError: null },
  fatal: null,
  signedOut: false,
  self: null,
  chat: null,
  memberUpdates: {},
  liveReports: [],
  money: null,
  paymentUpdate: null,
};

const noSubscribe = () => () => {};
const idle = () => IDLE_SNAPSHOT;

interface UseChatRoomOptions {
  code: string;
  roomId: string;
  member: Member | null;
  token: string | null;
  refreshToken: () => Promise<string | null>;
  onLive?: LiveListener;
  historyPath?: string;
  money?: boolean;
  /** How the room connects, when not by chat session token (an Inbox conversation); read once per room. */
  openSocket?: ChatRoomOptions['openSocket'];
  socketAuth?: ChatRoomOptions['socketAuth'];
}

/**
 * The chat store of one pop chat (see chat-room.ts): history first, then the
 * socket once there is a member and a token.
 */
export function useChatRoom({ code, roomId, member, token, refreshToken, onLive, historyPath, money = false, openSocket, socketAuth }: UseChatRoomOptions) {
  const [room, setRoom] = useState<ChatRoom | null>(null);
  const refreshRef = useRef(refreshToken);
  const liveRef = useRef(onLive);
  useEffect(() => {
    refreshRef.current = refreshToken;
    liveRef.current = onLive;
  }, [refreshToken, onLive]);

  useEffect(() => {
    const next = new ChatRoom({
      code,
      roomId,
      historyPath,
      money,
      refreshToken: () => refreshRef.current(),
      onLive: (m) => liveRef.current?.(m),
      openSocket,
      socketAuth,
    });
    setRoom(next);
    void next.start();
    return () => next.dispose();
  }, [code, roomId, historyPath, money]);

  useEffect(() => {
    if (room && member && token) room.setMember(member, token);
  }, [room, member, token]);

  const snapshot = useSyncExternalStore(room?.subscribe ?? noSubscribe, room?.getSnapshot ?? idle, idle);
  return { room, snapshot };
}
