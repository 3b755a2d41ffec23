'use client';

import type { ChatView as Chat, JoinResponse, Message, PublicUser, Theme } from '@chatpop/protocol';
import { LockIcon, UserPlusIcon } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { Participation, Viewer } from '@/lib/chat-api';
import { typingLabel } from '@/lib/message-log';
import type { ChatTheme } from '@/lib/themes';
import { useChatRoom } from '@/lib/use-chat-room';
import { cn } from '@/lib/utils';
import { ChatHeader } from './chat-header';
import { Composer } from './composer';
import { JoinDialog } from './join-dialog';
import { MessageActions } from './message-actions';
import type { MessageHandlers } from './message-item';
import { MessagePane } from './message-pane';
import { ReconnectBanner } from './reconnect-banner';
import { ShareCard } from './share-card';

function slowModeLabel(seconds: number): string {
  return seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`;
}

export function ChatView({
  chat,
  viewer,
  participation,
  user,
  theme,
  themeChoice,
  onThemeChoice,
  onJoined,
  refreshToken,
  created,
}: {
  chat: Chat;
  viewer: Viewer;
  participation: Participation | null;
  user: PublicUser | null;
  theme: ChatTheme;
  themeChoice: Theme | null;
  onThemeChoice: (theme: Theme | null) => void;
  onJoined: (res: JoinResponse) => void;
  refreshToken: () => Promise<string | null>;
  created: boolean;
}) {
  const member = participation?.member ?? null;
  const { room, snapshot } = useChatRoom({
    code: chat.code,
    roomId: chat.roomId,
    member,
    token: participation?.token ?? null,
    refreshToken,
  });
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [actionsFor, setActionsFor] = useState<Message | null>(null);
  const [joinOpen, setJoinOpen] = useState(false);
  const [shareVisible, setShareVisible] = useState(created && viewer.isHost);
  const [loadedMemberCount, setLoadedMemberCount] = useState(0);

  // The share card shows once; a reload of the page should not bring it back.
  useEffect(() => {
    if (!created) return;
    const url = new URL(window.location.href);
    url.searchParams.delete('created');
    window.history.replaceState(window.history.state, '', url);
  }, [created]);

  const handlers = useMemo<Omit<MessageHandlers, 'onQuoteClick'>>(
    () => ({
      onReply: (message) => (member ? setReplyTo(message) : setJoinOpen(true)),
      onRetry: (clientId) => room?.retry(clientId),
      onDiscard: (clientId) => room?.discard(clientId),
      onActions: (message) => setActionsFor(message),
    }),
    [room, member],
  );

  const onSend = useCallback(
    (text: string) => {
      room?.send(text, replyTo);
      setReplyTo(null);
    },
    [room, replyTo],
  );

  const handleJoined = useCallback(
    (res: JoinResponse) => {
      setJoinOpen(false);
      onJoined(res);
    },
    [onJoined],
  );

  // Presence arrives a moment after joining; until then at least we are here.
  const onlineCount = Math.max(snapshot.onlineCount ?? chat.onlineCount, snapshot.joined ? 1 : 0);
  // The count in `chat` is from when the page opened; people join after that.
  const memberCount = Math.max(chat.memberCount, loadedMemberCount, onlineCount);
  const reconnecting = member !== null && snapshot.connectionTried && !snapshot.joined && !snapshot.fatal;
  const typing = typingLabel(snapshot.typingNames);
  const closed = chat.endedAt !== null || chat.settings.locked;
  const canWrite = member !== null && !closed && !snapshot.fatal;

  return (
    <>
      <ChatHeader
        chat={chat}
        theme={theme}
        themeChoice={themeChoice}
        onThemeChoice={onThemeChoice}
        onlineCount={onlineCount}
        memberCount={memberCount}
        onMembersLoaded={setLoadedMemberCount}
        online={snapshot.online}
      />
      {reconnecting && <ReconnectBanner theme={theme} />}
      {snapshot.fatal && (
        <div role="alert" className="relative z-30 bg-red-600 px-4 py-2 text-center text-sm font-medium text-white" data-testid="chat-fatal">
          {snapshot.fatal}
        </div>
      )}

      <MessagePane
        items={snapshot.items}
        hostMessages={snapshot.hostMessages}
        selfId={member?.id ?? null}
        theme={theme}
        history={snapshot.history}
        onLoadOlder={() => void room?.loadOlder()}
        onRetryHistory={() => void room?.start()}
        handlers={handlers}
        before={shareVisible ? <ShareCard chat={chat} onDismiss={() => setShareVisible(false)} /> : null}
        emptyText={member ? 'No messages yet. Say hi!' : 'No messages yet. Join and say hi!'}
      />

      <footer className={cn('relative z-30 shrink-0 pb-[env(safe-area-inset-bottom)]', theme.composer)}>
        <div className="mx-auto h-5 max-w-3xl px-5 pt-1 text-xs" aria-live="polite">
          {typing && (
            <p className={cn('truncate italic', theme.headerMuted)} data-testid="typing-line">
              {typing}
            </p>
          )}
        </div>
        {closed ? (
          <p className={cn('flex items-center justify-center gap-2 px-4 pt-1 pb-4 text-sm', theme.headerMuted)} data-testid="chat-closed">
            <LockIcon className="size-4" aria-hidden />
            {chat.endedAt ? 'This chat has ended.' : 'The host locked this chat: it is read-only for now.'}
          </p>
        ) : canWrite ? (
          <Composer
            theme={theme}
            replyTo={replyTo}
            onCancelReply={() => setReplyTo(null)}
            onSend={onSend}
            onTyping={(hasText) => room?.typingInput(hasText)}
            onBlur={() => room?.typingStop()}
            placeholder={chat.settings.slowModeSeconds > 0 ? `Message · slow mode ${slowModeLabel(chat.settings.slowModeSeconds)}` : 'Message'}
          />
        ) : !member ? (
          <div className="mx-auto flex max-w-3xl items-center gap-3 px-4 pt-1 pb-4">
            <p className={cn('min-w-0 flex-1 text-sm', theme.headerMuted)}>You&apos;re reading. Join to send messages.</p>
            <Button size="lg" onClick={() => setJoinOpen(true)} className={cn('rounded-2xl', theme.sendButton)} data-testid="join-button">
              <UserPlusIcon aria-hidden /> Join chat
            </Button>
          </div>
        ) : null}
      </footer>

      <JoinDialog open={joinOpen} onOpenChange={setJoinOpen} chat={chat} user={user} onJoined={handleJoined} />
      <MessageActions
        message={actionsFor}
        onClose={() => setActionsFor(null)}
        onReply={(message) => (member ? setReplyTo(message) : setJoinOpen(true))}
      />
    </>
  );
}
