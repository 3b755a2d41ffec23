'use client';

import { messageSchema, pinnedResponseSchema, type Attachment, type ConversationMember, type ConversationSummary, type Message, type Theme, type UserPresence } from '@chatpop/protocol';
import { InfoIcon, LockIcon, MessageSquareOffIcon, SearchIcon } from 'lucide-react';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { z } from 'zod';
import { Composer } from '@/components/chat/composer';
import { MediaProvider, useMediaKey } from '@/components/media/media-context';
import { usePhotoUploads } from '@/components/media/use-photo-uploads';
import { MessageActions } from '@/components/chat/message-actions';
import type { MessageHandlers, Reader } from '@/components/chat/message-item';
import { MessagePane } from '@/components/chat/message-pane';
import { ReconnectBanner } from '@/components/chat/reconnect-banner';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/misc';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { api, errorMessage } from '@/lib/api';
import { mayOfferEdit, personName, readByLabel, readersOf, tickFor } from '@/lib/inbox';
import type { InboxStore } from '@/lib/inbox-store';
import type { ChatItem } from '@/lib/message-log';
import { typingLabel } from '@/lib/message-log';
import { isMutedNow, onlineCount, presenceText } from '@/lib/presence';
import { playSound, soundFor, unlockAudio } from '@/lib/sounds';
import type { ChatTheme } from '@/lib/themes';
import { useConversation } from '@/lib/use-inbox';
import { useMediaQuery } from '@/lib/use-media-query';
import { useNow } from '@/lib/use-now';
import { cn } from '@/lib/utils';
import { ConversationAvatar } from './conversation-avatar';
import { ConversationInfo } from './conversation-info';
import { ForwardDialog } from './forward-dialog';
import { ConversationMenu, usePreference } from './conversation-settings';
import { EditHistorySheet, EditMessageDialog } from './message-edits';
import { PinnedBanner } from './pinned-banner';
import { BackToList, headerButton } from './inbox-chrome';
import { ReadBySheet } from './read-by-sheet';

/** Wide enough for the list, the conversation and the info panel side by side. */
const PANEL_QUERY = '(min-width: 80rem)';

/**
 * One open conversation: its messages on the pop chat's message list and
 * composer, receipt ticks on my messages, "Read by …" under my latest one in a
 * group, and the details beside it on a desktop or in a sheet on a phone.
 * While it is on screen and the window has the focus, what it shows is read:
 * one watermark for all of it.
 */
export function ConversationView({
  id,
  row,
  store,
  presence,
  theme,
  onChooseTheme,
  removed = null,
}: {
  id: string;
  /** The conversation's row in the list, when it is there: the freshest read state. */
  row: ConversationSummary | null;
  store: InboxStore;
  /** People's presence as the store knows it (partners only). */
  presence: Readonly<Record<string, UserPresence>>;
  theme: ChatTheme;
  onChooseTheme: (theme: Theme) => void;
  /** Set once I left or was removed from it while it was open. */
  removed?: 'left' | 'removed' | null;
}) {
  const wide = useMediaQuery(PANEL_QUERY);
  const [infoChoice, setInfoChoice] = useState<boolean | null>(null);
  const panelOpen = wide && (infoChoice ?? true);
  const sheetOpen = !wide && infoChoice === true;

  const me = useRef<{ id: string; username: string } | null>(null);
  // A muted conversation makes no sound.
  const mutedRef = useRef(false);
  const onLive = useCallback((message: Message) => {
    if (mutedRef.current) return;
    const sound = soundFor(message, me.current, document.visibilityState === 'hidden');
    if (sound) playSound(sound);
  }, []);
  const { load, members, pinnedMessage, setPinnedMessage, room, snapshot, reload, apply } = useConversation(id, onLive);
  const inbox = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const router = useRouter();
  // A link to one message of the conversation (a search hit): `?at=<seq>`.
  const atParam = useSearchParams().get('at');
  const jumpToSeq = atParam !== null && /^\d{1,9}$/.test(atParam) && Number(atParam) > 0 ? Number(atParam) : null;
  const conversation = load.status === 'ready' ? load.conversation : null;
  const myMemberId = conversation?.myMemberId ?? null;
  const self = snapshot.self;
  useEffect(() => {
    me.current = self ? { id: self.id, username: self.username } : null;
  }, [self]);
  const reader = useMemo<Reader | null>(() => (self ? { id: self.id, username: self.username } : null), [self]);

  // ---- receipts ------------------------------------------------------------
  const others = useMemo(() => members.filter((m) => m.memberId !== myMemberId), [members, myMemberId]);
  const receiptFor = useCallback((item: ChatItem) => (item.status === 'sent' ? tickFor(item.message.seq, others) : null), [others]);
  const lastOwn = useMemo(() => {
    for (let i = snapshot.items.length - 1; i >= 0; i--) {
      const item = snapshot.items[i]!;
      if (item.status === 'sent' && item.message.memberId === myMemberId && item.message.type !== 'system') return item;
    }
    return null;
  }, [snapshot.items, myMemberId]);
  const [readByFor, setReadByFor] = useState<Message | null>(null);
  const lastOwnReaders = useMemo(() => (lastOwn && myMemberId ? readersOf(members, lastOwn.message.seq, myMemberId) : []), [lastOwn, members, myMemberId]);
  const afterItem = useCallback(
    (item: ChatItem) => {
      if (conversation?.kind !== 'group' || item !== lastOwn || lastOwnReaders.length === 0) return null;
      return (
        <div className="mt-0.5 flex justify-end px-1">
          <button
            type="button"
            onClick={() => setReadByFor(item.message)}
            className={cn('rounded-full px-2 py-0.5 text-[0.6875rem] font-medium outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring', theme.systemText)}
            data-testid="read-by"
          >
            {readByLabel(lastOwnReaders.map(personName))}
          </button>
        </div>
      );
    },
    [conversation?.kind, lastOwn, lastOwnReaders, theme.systemText],
  );

  // A system message records a change to the group (name, members, roles): fetch its details again.
  const lastSystemSeq = useMemo(() => {
    for (let i = snapshot.items.length - 1; i >= 0; i--) {
      const item = snapshot.items[i]!;
      if (item.message.type === 'system') return item.message.seq;
    }
    return 0;
  }, [snapshot.items]);
  const seenSystemSeq = useRef<number | null>(null);
  useEffect(() => {
    if (snapshot.history.status !== 'ready') return;
    if (seenSystemSeq.current !== null && lastSystemSeq > seenSystemSeq.current) void reload();
    seenSystemSeq.current = lastSystemSeq;
  }, [lastSystemSeq, snapshot.history.status, reload]);

  // ---- reading: one watermark, while visible and focused ----------------------
  const highestSeq = useMemo(() => {
    for (let i = snapshot.items.length - 1; i >= 0; i--) {
      const item = snapshot.items[i]!;
      if (item.status === 'sent') return item.message.seq;
    }
    return 0;
  }, [snapshot.items]);
  const readSeq = row?.readSeq ?? conversation?.readSeq ?? 0;
  const markedUnread = row?.markedUnread ?? conversation?.markedUnread ?? false;
  const canRead = conversation !== null && snapshot.history.status === 'ready' && !removed;
  useEffect(() => {
    if (!canRead) return;
    const check = () => {
      if (document.visibilityState !== 'visible' || !document.hasFocus()) return;
      if (highestSeq > readSeq || (markedUnread && highestSeq > 0)) store.markRead(id, highestSeq);
    };
    check();
    window.addEventListener('focus', check);
    document.addEventListener('visibilitychange', check);
    return () => {
      window.removeEventListener('focus', check);
      document.removeEventListener('visibilitychange', check);
    };
  }, [canRead, highestSeq, readSeq, markedUnread, id, store]);

  // ---- message actions -----------------------------------------------------------
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [actionsFor, setActionsFor] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const [historyOf, setHistoryOf] = useState<Message | null>(null);
  const [forwarding, setForwarding] = useState<Message | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (!actionError) return;
    const timer = setTimeout(() => setActionError(null), 5_000);
    return () => clearTimeout(timer);
  }, [actionError]);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 4_000);
    return () => clearTimeout(timer);
  }, [notice]);
  const handlers = useMemo<Omit<MessageHandlers, 'onQuoteClick'>>(
    () => ({
      onReply: (message) => setReplyTo(message),
      onRetry: (clientId) => room?.retry(clientId),
      onDiscard: (clientId) => room?.discard(clientId),
      onActions: (message) => setActionsFor(message),
      onReact: (message, emoji, on) => {
        room?.react(message.id, emoji, on).catch((error: unknown) => setActionError(error instanceof Error ? error.message : 'That did not work.'));
      },
    }),
    [room],
  );
  // Photos: a conversation's are for its members only, fetched with the member's media key.
  const fetchMediaKey = useCallback(() => (room ? room.mediaKey() : Promise.reject(new Error('Not in the conversation yet.'))), [room]);
  const mediaKey = useMediaKey(fetchMediaKey, snapshot.joined);
  const photos = usePhotoUploads(fetchMediaKey);
  const onSend = useCallback(
    (text: string, attachments: Attachment[]) => {
      room?.send(text, replyTo, attachments);
      setReplyTo(null);
    },
    [room, replyTo],
  );

  // ---- delete, pin: over HTTP, announced to every member by the room's events ----
  const messagePath = useCallback(
    (messageId: string, rest = '') => `/api/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}${rest}`,
    [id],
  );
  const deleteForMe = useCallback(
    async (message: Message) => {
      await api.delete(messagePath(message.id, '?for=me'));
      room?.forget(message.id);
    },
    [messagePath, room],
  );
  const deleteForEveryone = useCallback(
    async (message: Message) => {
      await api.delete(messagePath(message.id, '?for=everyone'), { schema: z.object({ message: messageSchema }) });
    },
    [messagePath],
  );
  const isAdmin = conversation?.myRole === 'admin';
  const canDeleteForEveryone = useCallback(
    (message: Message) => message.type !== 'system' && !message.deletedAt && (message.memberId === myMemberId || (conversation?.kind === 'group' && isAdmin)),
    [conversation?.kind, isAdmin, myMemberId],
  );
  // Who may pin: anyone in a direct conversation; in a group, whom its editInfo permission allows.
  const canPin = conversation !== null && !removed && (conversation.kind === 'direct' || isAdmin || conversation.permissions?.editInfo === 'everyone');
  const pin = useCallback(
    async (message: Message) => {
      const res = await api.post(`/api/conversations/${encodeURIComponent(id)}/pinned-message`, { messageId: message.id }, { schema: pinnedResponseSchema });
      setPinnedMessage(res.pinned);
    },
    [id, setPinnedMessage],
  );
  const unpin = useCallback(async () => {
    await api.delete(`/api/conversations/${encodeURIComponent(id)}/pinned-message`, { schema: pinnedResponseSchema });
    setPinnedMessage(null);
  }, [id, setPinnedMessage]);
  const unpinFromBanner = useCallback(() => unpin().catch((error: unknown) => setActionError(errorMessage(error))), [unpin]);
  const reveal = useCallback((seq: number) => room?.reveal(seq) ?? Promise.resolve(false), [room]);
  const editWindowSeconds = conversation?.editWindowSeconds;

  // ---- presence, and my own settings of it ------------------------------------------
  const flags = row ?? conversation;
  useEffect(() => {
    mutedRef.current = flags ? isMutedNow(flags) : false;
  }, [flags]);
  const preference = usePreference(store, id);
  useEffect(() => {
    if (preference.error) setActionError(preference.error);
  }, [preference.error]);
  const otherIds = useMemo(() => others.map((m) => m.userId).join(','), [others]);
  // Fetched on opening, when the members change and after each reconnect; events keep it current.
  useEffect(() => {
    if (otherIds && snapshot.joined) void store.loadConversationPresence(id);
  }, [store, id, otherIds, snapshot.joined]);
  const now = useNow(true, 30_000);

  const name = conversation?.name ?? row?.name ?? '';
  const avatarUrl = conversation?.avatarUrl ?? row?.avatarUrl ?? null;
  const kind = conversation?.kind ?? row?.kind ?? 'direct';
  const other: ConversationMember | undefined = kind === 'direct' ? others[0] : undefined;
  const typing = typingLabel(snapshot.typingNames);
  const memberCount = conversation?.memberCount ?? row?.memberCount ?? 0;
  const online = onlineCount(others.map((m) => m.userId), presence);
  const subtitle =
    kind === 'direct'
      ? typing
        ? 'typing…'
        : ((other && presenceText(presence[other.userId], new Date(now))) ?? (other ? `@${other.username}` : ''))
      : `${memberCount} members${online > 0 ? `, ${online} online` : ''}`;
  const reconnecting = conversation !== null && snapshot.connectionTried && !snapshot.joined && !snapshot.fatal;
  const adminsOnly = conversation?.permissions?.send === 'admins' && conversation.myRole !== 'admin';
  // @mentions offer the conversation's other members (in a direct conversation, the other person).
  const mentionNames = useMemo(() => others.map((m) => m.username), [others]);

  if (load.status === 'error') {
    return (
      <main className={cn('flex flex-1 flex-col', theme.messagesArea)}>
        <header className={cn('flex h-14 shrink-0 items-center gap-1 px-2 pt-[env(safe-area-inset-top)]', theme.header)}>
          <BackToList theme={theme} />
        </header>
        <div className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center" data-testid="conversation-not-found">
          <MessageSquareOffIcon className="size-10 text-muted-foreground" aria-hidden />
          <h2 className="text-lg font-semibold">{load.notFound ? 'Conversation not found' : "Couldn't open this conversation"}</h2>
          <p className="max-w-sm text-sm text-muted-foreground">{load.notFound ? 'It does not exist, or you are not one of its members.' : load.error}</p>
        </div>
      </main>
    );
  }

  const info = conversation ? (
    <ConversationInfo
      conversation={conversation}
      members={members}
      flags={flags ?? conversation}
      presence={presence}
      store={store}
      theme={theme}
      onChooseTheme={onChooseTheme}
      onMarkUnread={() => store.markUnread(id)}
      onChanged={apply}
      onLeft={() => router.push('/inbox')}
    />
  ) : null;

  return (
    <MediaProvider publicRoom={false} mediaKey={mediaKey} localPreview={photos.localPreview}>
    <div className="flex min-h-0 flex-1" onPointerDown={unlockAudio}>
      <div className="flex min-h-0 min-w-0 flex-1 flex-col" data-testid="conversation-view" data-conversation-id={id}>
        <header className={cn('relative z-30 shrink-0 pt-[env(safe-area-inset-top)]', theme.header)}>
          <div className="flex h-14 items-center gap-1 px-2">
            <BackToList theme={theme} />
            <ConversationAvatar name={name || '?'} avatarUrl={avatarUrl} className="ml-1 size-9 text-sm" />
            <div className="min-w-0 flex-1 px-1.5">
              <h2 className="truncate text-base leading-tight font-semibold">
                <button
                  type="button"
                  onClick={() => setInfoChoice(!(wide ? panelOpen : sheetOpen))}
                  className="max-w-full truncate rounded-md text-left outline-none focus-visible:ring-2 focus-visible:ring-ring"
                  data-testid="conversation-title"
                >
                  {name || 'Loading…'}
                </button>
              </h2>
              <p className={cn('truncate text-xs', theme.headerMuted)} data-testid="conversation-subtitle">
                {subtitle}
              </p>
            </div>
            {flags && (
              <ConversationMenu
                flags={flags}
                theme={theme}
                onPreference={(p) => void preference.run(p)}
                onMarkUnread={() => {
                  store
                    .markUnread(id)
                    .then(() => router.push('/inbox'))
                    .catch((error: unknown) => setActionError(error instanceof Error ? error.message : 'That did not work.'));
                }}
                onDetails={() => setInfoChoice(true)}
              />
            )}
            <Link
              href={`/search?${new URLSearchParams({ in: id, name: name || 'this conversation' })}`}
              className={cn(headerButton, theme.headerButton)}
              aria-label="Search in this conversation"
              data-testid="conversation-search"
            >
              <SearchIcon aria-hidden />
            </Link>
            <button
              type="button"
              onClick={() => setInfoChoice(!(wide ? panelOpen : sheetOpen))}
              className={cn(headerButton, theme.headerButton)}
              aria-label="Conversation details"
              aria-expanded={wide ? panelOpen : sheetOpen}
              data-testid="conversation-info-button"
            >
              <InfoIcon aria-hidden />
            </button>
          </div>
        </header>
        {reconnecting && <ReconnectBanner theme={theme} unreachable={snapshot.unreachable} onRetry={() => room?.retryNow()} />}
        {snapshot.fatal && (
          <div role="alert" className="relative z-30 bg-red-700 px-4 py-2 text-center text-sm font-medium text-white" data-testid="conversation-fatal">
            {snapshot.fatal}
          </div>
        )}
        {actionError && (
          <div role="alert" className="relative z-30 bg-red-700 px-4 py-2 text-center text-sm font-medium text-white" data-testid="action-error">
            {actionError}
          </div>
        )}
        {notice && (
          <div role="status" className="relative z-30 bg-emerald-800 px-4 py-2 text-center text-sm font-medium text-white" data-testid="action-notice">
            {notice}
          </div>
        )}

        <MessagePane
          items={snapshot.items}
          hostMessages={[]}
          selfId={myMemberId}
          reader={reader}
          theme={theme}
          history={snapshot.history}
          onLoadOlder={() => void room?.loadOlder()}
          onRetryHistory={() => void room?.start()}
          handlers={handlers}
          emptyText={kind === 'group' ? 'No messages yet. Say hi to the group!' : `No messages yet. Say hi${name ? ` to ${name}` : ''}!`}
          startText="This is the beginning of your conversation"
          receiptFor={receiptFor}
          afterItem={afterItem}
          catchingUp={snapshot.catchingUp}
          missed={snapshot.missed}
          onShowMissed={(afterSeq) => void room?.loadMissed(afterSeq)}
          onReveal={reveal}
          jumpToSeq={jumpToSeq}
          pinned={
            pinnedMessage
              ? (select) => <PinnedBanner pinned={pinnedMessage} theme={theme} onSelect={select} onUnpin={canPin ? unpinFromBanner : undefined} />
              : null
          }
        />

        <footer className={cn('relative z-30 shrink-0 pb-[env(safe-area-inset-bottom)]', theme.composer)}>
          <div className="mx-auto h-5 max-w-3xl px-5 pt-1 text-xs" aria-live="polite">
            {typing && (
              <p className={cn('truncate italic', theme.headerMuted)} data-testid="typing-line">
                {typing}
              </p>
            )}
          </div>
          {removed ? (
            <p className={cn('flex items-center justify-center gap-2 px-4 pt-1 pb-4 text-sm', theme.headerMuted)} data-testid="conversation-removed">
              <LockIcon className="size-4" aria-hidden /> {removed === 'left' ? 'You left this group.' : 'You were removed from this group.'}
            </p>
          ) : !conversation ? (
            <div className="flex justify-center px-4 pt-1 pb-4">
              <Spinner label="Opening the conversation" className="opacity-70" />
            </div>
          ) : adminsOnly ? (
            <p className={cn('flex items-center justify-center gap-2 px-4 pt-1 pb-4 text-sm', theme.headerMuted)} data-testid="admins-only">
              <LockIcon className="size-4" aria-hidden /> Only admins can send messages in this group.
            </p>
          ) : (
            <Composer
              theme={theme}
              replyTo={replyTo}
              onCancelReply={() => setReplyTo(null)}
              onSend={onSend}
              onTyping={(hasText) => room?.typingInput(hasText)}
              onBlur={() => room?.typingStop()}
              mentionNames={mentionNames}
              photos={photos}
              placeholder={kind === 'group' ? `Message ${name}` : name ? `Message ${name}` : 'Message'}
            />
          )}
        </footer>
      </div>

      {panelOpen && info && (
        <aside aria-label="Conversation details" className={cn('flex w-80 shrink-0 flex-col overflow-y-auto border-l', theme.composer, 'border-t-0')} data-testid="conversation-info-panel">
          <div className="flex items-center justify-between px-4 pt-4">
            <h2 className="text-base font-semibold">Details</h2>
            <Button variant="ghost" size="sm" onClick={() => setInfoChoice(false)} data-testid="conversation-info-close">
              Hide
            </Button>
          </div>
          {info}
        </aside>
      )}
      <Sheet open={sheetOpen} onOpenChange={(open) => setInfoChoice(open)}>
        <SheetContent side="right" className="overflow-y-auto" data-testid="conversation-info-sheet">
          <SheetHeader>
            <SheetTitle>Details</SheetTitle>
            <SheetDescription className="sr-only">Members and settings of this conversation</SheetDescription>
          </SheetHeader>
          {info}
        </SheetContent>
      </Sheet>

      <MessageActions
        message={actionsFor}
        self={self}
        canModerate={false}
        onClose={() => setActionsFor(null)}
        onReply={(message) => setReplyTo(message)}
        onReact={handlers.onReact}
        canEdit={(message) => !adminsOnly && !removed && mayOfferEdit(message, editWindowSeconds)}
        onEdit={setEditing}
        onHistory={setHistoryOf}
        onForward={removed ? undefined : setForwarding}
        pinToTop={canPin ? { pinnedId: pinnedMessage?.message.id ?? null, onPin: pin, onUnpin: unpin } : undefined}
        onDeleteForMe={removed ? undefined : deleteForMe}
        canDeleteForEveryone={canDeleteForEveryone}
        onDeleteForEveryone={deleteForEveryone}
      />
      <ForwardDialog
        conversationId={id}
        message={forwarding}
        conversations={inbox.conversations}
        onClose={() => setForwarding(null)}
        onForwarded={(count) => setNotice(`Forwarded to ${count} ${count === 1 ? 'conversation' : 'conversations'}.`)}
      />
      <EditMessageDialog conversationId={id} message={editing} onClose={() => setEditing(null)} />
      <EditHistorySheet conversationId={id} message={historyOf} onClose={() => setHistoryOf(null)} />
      {conversation && myMemberId && (
        <ReadBySheet message={readByFor} members={members} myMemberId={myMemberId} onClose={() => setReadByFor(null)} />
      )}
    </div>
    </MediaProvider>
  );
}
