'use client';

import {
  backroomEntrySchema,
  paymentResponseSchema,
  pinsStateSchema,
  type BackroomEntry,
  type ChatView as Chat,
  type JoinResponse,
  type Member,
  type Message,
  type PinView,
  type ModerateMemberBody,
  type MoneyState,
  type PublicUser,
  type Theme,
  type Attachment,
} from '@chatpop/protocol';
import { ClockIcon, LockIcon, LogInIcon, ShieldAlertIcon, UserPlusIcon, WifiOffIcon, XIcon } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BackRoomBar } from '@/components/payments/backroom-bar';
import { BackroomMembersSheet } from '@/components/payments/backroom-members';
import { MoneyMenu } from '@/components/payments/money-menu';
import { PaymentNotice } from '@/components/payments/payment-notice';
import { PinDialog, StaleQuoteError, type PinTarget } from '@/components/payments/pin-dialog';
import { PinnedStrip } from '@/components/payments/pinned-strip';
import { TipDialog } from '@/components/payments/tip-dialog';
import { Button } from '@/components/ui/button';
import { ApiError, api, chatPath } from '@/lib/api';
import type { Participation, Viewer } from '@/lib/chat-api';
import { typingLabel } from '@/lib/message-log';
import { formatMoney } from '@/lib/money';
import { useProfiles } from '@/lib/use-profiles';
import { playSound, soundFor, unlockAudio } from '@/lib/sounds';
import type { ChatTheme } from '@/lib/themes';
import { useChatRoom } from '@/lib/use-chat-room';
import { MediaProvider, useMediaKey } from '@/components/media/media-context';
import { usePhotoUploads } from '@/components/media/use-photo-uploads';
import { useLivePins } from '@/lib/use-live-pins';
import { cn, newClientId } from '@/lib/utils';
import { ChatHeader } from './chat-header';
import { Composer } from './composer';
import { HostTools, slowModeLabel } from './host-tools';
import { JoinDialog } from './join-dialog';
import { MessageActions } from './message-actions';
import type { MessageHandlers, Reader } from './message-item';
import { MessagePane } from './message-pane';
import { ReconnectBanner, useOnline } from './reconnect-banner';
import { ReportDialog } from './report-dialog';
import { ShareCard } from './share-card';

const isModeratorRole = (m: Member | null) => m?.role === 'host' || m?.role === 'moderator';

/** Re-renders once a second while a countdown runs. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
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
  onChatUpdated,
  refreshToken,
  created,
  paymentId,
  at = null,
}: {
  chat: Chat;
  viewer: Viewer;
  participation: Participation | null;
  user: PublicUser | null;
  theme: ChatTheme;
  themeChoice: Theme | null;
  onThemeChoice: (theme: Theme | null) => void;
  onJoined: (res: JoinResponse) => void;
  /** The chat changed (settings, lock, end): from the host's own edit or announced live. */
  onChatUpdated: (chat: Chat) => void;
  refreshToken: () => Promise<string | null>;
  created: boolean;
  /** Back from checkout: the payment to show the outcome of. */
  paymentId: string | null;
  /** A link to one message (a search hit): its seq, and whether it is in the Back Room. */
  at?: { seq: number; backroom: boolean } | null;
}) {
  const router = useRouter();
  const joinedAs = participation?.member ?? null;
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [actionsFor, setActionsFor] = useState<Message | null>(null);
  const [reportFor, setReportFor] = useState<Message | null>(null);
  const [toolsOpen, setToolsOpen] = useState(false);
  const [joinOpen, setJoinOpen] = useState(false);
  const [shareVisible, setShareVisible] = useState(created && viewer.isHost);
  const [loadedMemberCount, setLoadedMemberCount] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [cooldownUntil, setCooldownUntil] = useState(0);

  // Sounds for what arrives live (seed guide, "Audio"): who I am is read when it plays.
  const [meForSound, setMeForSound] = useState<{ id: string; username: string } | null>(null);
  const onLive = useCallback(
    (message: Message) => {
      const sound = soundFor(message, meForSound, document.visibilityState === 'hidden');
      if (sound) playSound(sound);
    },
    [meForSound],
  );

  // The Back Room (SPEC §2.5) is a second chat with the host: while inside, the
  // same screen runs on its room, its history and its chat session token.
  const [backroom, setBackroom] = useState<BackroomEntry | null>(null);
  const refreshBackroomToken = useCallback(async () => {
    try {
      const entry = await api.get(chatPath(chat.code, '/backroom'), { schema: backroomEntrySchema });
      return entry.token;
    } catch {
      return null;
    }
  }, [chat.code]);

  const { room, snapshot } = useChatRoom({
    code: chat.code,
    roomId: backroom?.roomId ?? chat.roomId,
    member: backroom?.member ?? joinedAs,
    token: backroom?.token ?? participation?.token ?? null,
    refreshToken: backroom ? refreshBackroomToken : refreshToken,
    onLive,
    historyPath: backroom ? chatPath(chat.code, '/backroom/messages') : undefined,
    money: backroom === null,
  });
  // The money state of the pop chat, kept while inside the Back Room (whose room has none).
  const [money, setMoney] = useState<MoneyState | null>(null);
  useEffect(() => {
    if (snapshot.money) setMoney(snapshot.money);
  }, [snapshot.money]);
  const me = snapshot.self ?? backroom?.member ?? joinedAs;
  useEffect(() => setMeForSound(me ? { id: me.id, username: me.username } : null), [me]);
  const reader = useMemo<Reader | null>(() => (me ? { id: me.id, username: me.username } : null), [me]);
  const canModerate = viewer.isHost || isModeratorRole(me);

  // A change announced live reaches the screen (and the theme default) through the parent;
  // only a new announcement counts, so the effect depends on it alone.
  useEffect(() => {
    if (!snapshot.chat) return;
    onChatUpdated({ ...snapshot.chat, ...(chat.accessCode ? { accessCode: chat.accessCode } : {}) });
    // Prices, seats and switches of the Back Room, pins and tips are settings too.
    if (!backroom) void room?.loadMoney();
  }, [snapshot.chat]);

  // The share card shows once; a reload of the page should not bring it back.
  useEffect(() => {
    if (!created) return;
    const url = new URL(window.location.href);
    url.searchParams.delete('created');
    window.history.replaceState(window.history.state, '', url);
  }, [created]);

  const showError = useCallback((error: unknown) => {
    setActionError(error instanceof Error ? error.message : 'That did not work. Try again.');
  }, []);
  useEffect(() => {
    if (!actionError) return;
    const timer = setTimeout(() => setActionError(null), 5_000);
    return () => clearTimeout(timer);
  }, [actionError]);

  const handlers = useMemo<Omit<MessageHandlers, 'onQuoteClick'>>(
    () => ({
      onReply: (message) => (joinedAs ? setReplyTo(message) : setJoinOpen(true)),
      onRetry: (clientId) => room?.retry(clientId),
      onDiscard: (clientId) => room?.discard(clientId),
      onActions: (message) => setActionsFor(message),
      onReact: (message, emoji, on) => {
        if (!room || !joinedAs) return setJoinOpen(true);
        room.react(message.id, emoji, on).catch(showError);
      },
    }),
    [room, joinedAs, showError],
  );

  const moderate = useCallback(
    async (memberId: string, _username: string, body: ModerateMemberBody) => {
      await api.post(chatPath(chat.code, `/members/${memberId}/moderate`), body);
    },
    [chat.code],
  );

  /** A signed-in reader blocks a participant who wears their username: their messages leave this view at once. */
  const block = useCallback(
    async (memberId: string) => {
      await api.post('/api/blocks', { roomId: chat.roomId, memberId });
      room?.hideMember(memberId);
    },
    [chat.roomId, room],
  );

  const deleteMessage = useCallback(
    async (messageId: string) => {
      if (room && snapshot.joined) await room.deleteMessage(messageId);
      else await api.delete(chatPath(chat.code, `/messages/${messageId}`));
    },
    [room, snapshot.joined, chat.code],
  );

  const ended = chat.endedAt !== null;
  const slowMode = Math.max(chat.settings.slowModeSeconds, chat.settings.lockdown.active ? chat.settings.lockdown.slowModeSeconds : 0);
  // ---- photos (docs/architecture.md, "Media") --------------------------------
  // A Back Room follows its pop chat's Photos switch; lockdown turns photos off for all but the host and moderators.
  const photosAllowed = chat.settings.media.photo && (!chat.settings.lockdown.active || canModerate);
  const publicMedia = !backroom && chat.access === 'public';
  const fetchMediaKey = useCallback(() => (room ? room.mediaKey() : Promise.reject(new Error('Not in the chat yet.'))), [room]);
  const mediaKey = useMediaKey(fetchMediaKey, !publicMedia && snapshot.joined);
  const photos = usePhotoUploads(fetchMediaKey);

  const onSend = useCallback(
    (text: string, attachments: Attachment[]) => {
      room?.send(text, replyTo, attachments);
      setReplyTo(null);
      if (slowMode > 0 && !canModerate) setCooldownUntil(Date.now() + slowMode * 1000);
    },
    [room, replyTo, slowMode, canModerate],
  );

  // ---- money ---------------------------------------------------------------
  const currency = money?.currency ?? 'usd';
  const [pinTarget, setPinTarget] = useState<PinTarget | null>(null);
  const [tipOpen, setTipOpen] = useState(false);
  const [seatBusy, setSeatBusy] = useState(false);
  const [membersOpen, setMembersOpen] = useState(false);
  const livePins = useLivePins(money?.pins.pins ?? []);
  // Verified authors of what is loaded: their display names and avatars.
  const verifiedAuthors = useMemo(() => {
    const ids = new Set<string>();
    for (const item of snapshot.items) if (item.message.verified && item.message.memberId) ids.add(item.message.memberId);
    return [...ids].sort();
  }, [snapshot.items]);
  const profiles = useProfiles(chat.code, verifiedAuthors);
  const pinnedMessageIds = useMemo(() => new Set(livePins.map((p) => p.message.id)), [livePins]);
  // Told when someone pays more and takes the top spot from my pin (expiry is not being outbid).
  const [outbid, setOutbid] = useState<{ byCents: number } | null>(null);
  const myTop = useRef<PinView | null>(null);
  const top = livePins[0] ?? null;
  useEffect(() => {
    const mine = joinedAs?.id ?? null;
    const before = myTop.current;
    if (before && top && top.id !== before.id && top.message.memberId !== mine && top.amountCents > before.amountCents) {
      setOutbid({ byCents: top.amountCents });
    }
    myTop.current = top && mine && top.message.memberId === mine ? top : null;
  }, [top, joinedAs]);
  useEffect(() => {
    if (!outbid) return;
    const timer = setTimeout(() => setOutbid(null), 10_000);
    return () => clearTimeout(timer);
  }, [outbid]);
  // A message pinned live chimes like a paid pin message does (a new-text pin arrives as a `pin` message and chimes there).
  const seenPins = useRef<Set<string> | null>(null);
  useEffect(() => {
    const pins = money?.pins.pins;
    if (!pins) return;
    const before = seenPins.current;
    seenPins.current = new Set(pins.map((p) => p.id));
    if (before && pins.some((p) => !before.has(p.id) && p.message.type !== 'pin' && p.message.memberId !== meForSound?.id)) playSound('pin');
  }, [money?.pins.pins, meForSound]);
  const pinsOn = Boolean(money?.pins.enabled) && !backroom && !ended;
  const tipsOn = Boolean(money?.tips.enabled) && !backroom && !ended;
  // The host does not pay in their own chat.
  const canPay = joinedAs !== null && !viewer.isHost;
  // One idempotency key per purchase attempt: a retry after a lost answer is the same
  // purchase; a refused one (the server said no) starts a new one.
  const keys = useRef(new Map<string, string>());
  const purchase = useCallback(
    async (what: string, path: string, body: Record<string, unknown>) => {
      const key = keys.current.get(what) ?? newClientId();
      keys.current.set(what, key);
      try {
        const { payment } = await api.post(chatPath(chat.code, path), { ...body, idempotencyKey: key }, { schema: paymentResponseSchema });
        keys.current.delete(what);
        router.push(payment.checkout?.provider === 'test' ? payment.checkout.path : `/pay/${encodeURIComponent(payment.id)}`);
      } catch (error) {
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) keys.current.delete(what);
        throw error;
      }
    },
    [chat.code, router],
  );

  const buySeat = useCallback(async () => {
    if (!joinedAs) return setJoinOpen(true);
    const pending = money?.backroom.pendingPaymentId;
    if (pending) return router.push(`/pay/${encodeURIComponent(pending)}`);
    setSeatBusy(true);
    try {
      await purchase('seat', '/backroom/seats', {});
    } catch (error) {
      showError(error);
      void room?.loadMoney();
      setSeatBusy(false);
    }
  }, [joinedAs, money, purchase, router, showError, room]);

  const enterBackroom = useCallback(async () => {
    try {
      setBackroom(await api.get(chatPath(chat.code, '/backroom'), { schema: backroomEntrySchema }));
      setReplyTo(null);
    } catch (error) {
      showError(error);
    }
  }, [chat.code, showError]);

  // A link into the Back Room: go in once, as the Back Room button would.
  const wantsBackroom = Boolean(at?.backroom) && joinedAs !== null;
  const backroomOpened = useRef(false);
  useEffect(() => {
    if (!wantsBackroom || backroomOpened.current) return;
    backroomOpened.current = true;
    void enterBackroom();
  }, [wantsBackroom, enterBackroom]);

  const leaveBackroom = useCallback(() => {
    setBackroom(null);
    setReplyTo(null);
  }, []);

  // A seat refunded (or the host's doing) ends the stay: back to the pop chat, saying why.
  useEffect(() => {
    if (!backroom || !snapshot.fatal) return;
    setActionError(`You left the Back Room: ${snapshot.fatal}`);
    leaveBackroom();
  }, [backroom, snapshot.fatal, leaveBackroom]);

  const pin = useCallback(
    async (target: PinTarget, amountCents: number, quotedCents: number) => {
      const body = target.kind === 'message' ? { messageId: target.message.id } : { text: target.text };
      try {
        await purchase(`pin:${target.kind === 'message' ? target.message.id : 'new'}`, '/pins', { ...body, amountCents, quotedCents });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'PIN_QUOTE_STALE') {
          const quote = (error.details as { quoteCents?: unknown } | null)?.quoteCents;
          if (typeof quote === 'number') throw new StaleQuoteError(quote, 'Someone pinned first.');
        }
        throw error;
      }
    },
    [purchase],
  );

  const tip = useCallback((amountCents: number, note: string) => purchase('tip', '/tips', { amountCents, ...(note ? { note } : {}) }), [purchase]);

  const unpin = useCallback(
    async (pinId: string) => {
      const res = await api.delete(chatPath(chat.code, `/pins/${encodeURIComponent(pinId)}`), { schema: pinsStateSchema.pick({ pins: true }) });
      room?.setPins(res.pins);
    },
    [chat.code, room],
  );

  const handleJoined = useCallback(
    (res: JoinResponse) => {
      setJoinOpen(false);
      onJoined(res);
    },
    [onJoined],
  );

  const mutedUntil = me?.mutedUntil ? Date.parse(me.mutedUntil) : 0;
  const now = useNow(mutedUntil > Date.now() || cooldownUntil > Date.now());
  const timedOut = mutedUntil > now;
  // A participant made moderator skips slow mode at once.
  const waitSeconds = !canModerate && cooldownUntil > now ? Math.min(slowMode, Math.ceil((cooldownUntil - now) / 1000)) : 0;

  // Presence arrives a moment after joining; until then at least we are here.
  const onlineCount = Math.max(snapshot.onlineCount ?? chat.onlineCount, snapshot.joined ? 1 : 0);
  // The count in `chat` is from when the page opened; people join after that.
  const memberCount = Math.max(chat.memberCount, loadedMemberCount, onlineCount);
  const reconnecting = joinedAs !== null && snapshot.connectionTried && !snapshot.joined && !snapshot.fatal;
  // Offline, sends queue up for when the network is back; online but unreachable, they would go nowhere.
  const online = useOnline();
  const typing = typingLabel(snapshot.typingNames);
  const closed = ended || (chat.settings.locked && !canModerate);
  const canWrite = joinedAs !== null && !closed && !snapshot.fatal;
  const lockdown = chat.settings.lockdown;
  // Who an @mention can name: people online now, then recent authors.
  const mentionNames = useMemo(() => {
    const names = new Set<string>();
    for (const p of snapshot.online ?? []) names.add(p.username);
    for (let i = snapshot.items.length - 1; i >= 0 && names.size < 200; i--) {
      const m = snapshot.items[i]!.message;
      if (m.username && m.type !== 'system') names.add(m.username);
    }
    if (me) names.delete(me.username);
    return [...names];
  }, [snapshot.online, snapshot.items, me]);

  return (
    // Any tap in the chat also unlocks audio, for a participant who came back without the join tap.
    <MediaProvider publicRoom={publicMedia} mediaKey={mediaKey} localPreview={photos.localPreview}>
    <div className="contents" onPointerDown={unlockAudio}>
      <ChatHeader
        chat={chat}
        theme={theme}
        themeChoice={themeChoice}
        onThemeChoice={onThemeChoice}
        onlineCount={onlineCount}
        memberCount={memberCount}
        onMembersLoaded={setLoadedMemberCount}
        online={snapshot.online}
        self={me}
        memberUpdates={snapshot.memberUpdates}
        onModerate={moderate}
        onBlock={user?.username ? block : null}
        onOpenTools={canModerate ? () => setToolsOpen(true) : null}
        reportCount={snapshot.liveReports.length}
        searchIn={user && joinedAs ? { roomId: backroom?.roomId ?? chat.roomId, name: backroom ? `${chat.name} · Back Room` : chat.name } : null}
      />
      {reconnecting && <ReconnectBanner theme={theme} unreachable={snapshot.unreachable} onRetry={() => room?.retryNow()} />}
      {snapshot.fatal && (
        <div
          role="alert"
          className="relative z-30 bg-red-700 px-4 py-2 text-center text-sm font-medium text-white"
          data-testid={snapshot.signedOut ? 'chat-signed-out' : 'chat-fatal'}
        >
          {snapshot.fatal}
        </div>
      )}
      {lockdown.active && !ended && (
        <div role="status" className={cn('relative z-30 flex items-center justify-center gap-2 px-4 py-1.5 text-center text-xs font-medium', theme.banner)} data-testid="lockdown-banner">
          <ShieldAlertIcon className="size-4 shrink-0" aria-hidden />
          Lockdown: slow mode {slowModeLabel(lockdown.slowModeSeconds)}
          {lockdown.newcomerMinutes > 0 && ` · newcomers wait ${lockdown.newcomerMinutes} min`}
          {lockdown.blockLinks && ' · links off'}
        </div>
      )}
      {outbid && (
        <div role="status" className="relative z-30 flex items-center justify-center gap-3 bg-emerald-800 px-4 py-2 text-sm font-medium text-white" data-testid="outbid-notice">
          <span>Your pin was outbid ({formatMoney(outbid.byCents, currency)}). Pin again for more to take the top spot back.</span>
          <button type="button" onClick={() => setOutbid(null)} className="rounded-full p-1 outline-none hover:bg-white/15 focus-visible:ring-2 focus-visible:ring-white" aria-label="Dismiss">
            <XIcon className="size-4" aria-hidden />
          </button>
        </div>
      )}
      {actionError && (
        <div role="alert" className="relative z-30 bg-red-700 px-4 py-2 text-center text-sm font-medium text-white" data-testid="action-error">
          {actionError}
        </div>
      )}
      {money?.backroom.enabled && !ended && (
        <BackRoomBar
          seatsTaken={money.backroom.seatsTaken}
          seatLimit={money.backroom.seatLimit}
          seatPriceCents={money.backroom.seatPriceCents}
          currency={currency}
          canEnter={money.backroom.isMember}
          inside={backroom !== null}
          busy={seatBusy}
          onBuy={() => void buySeat()}
          onEnter={() => void enterBackroom()}
          onLeave={leaveBackroom}
          onMembers={viewer.isHost ? () => setMembersOpen(true) : null}
          theme={theme}
        />
      )}
      {paymentId && <PaymentNotice paymentId={paymentId} onSeat={() => void enterBackroom()} onSettled={() => void room?.loadMoney()} />}

      <MessagePane
        items={snapshot.items}
        hostMessages={snapshot.hostMessages}
        pinnedMessageIds={pinnedMessageIds}
        profiles={profiles}
        selfId={joinedAs?.id ?? null}
        reader={reader}
        theme={theme}
        history={snapshot.history}
        catchingUp={snapshot.catchingUp}
        missed={snapshot.missed}
        onShowMissed={(afterSeq) => void room?.loadMissed(afterSeq)}
        onReveal={(seq) => room?.reveal(seq) ?? Promise.resolve(false)}
        jumpToSeq={at && (at.backroom ? backroom !== null : backroom === null) ? at.seq : null}
        onLoadOlder={() => void room?.loadOlder()}
        onRetryHistory={() => void room?.start()}
        handlers={handlers}
        before={shareVisible && !backroom ? <ShareCard chat={chat} onDismiss={() => setShareVisible(false)} /> : null}
        pinned={
          !backroom && livePins.length > 0
            ? (select) => (
                <PinnedStrip pins={livePins} currency={currency} theme={theme} canUnpin={canModerate && snapshot.joined} onSelect={select} onUnpin={(p) => unpin(p.id).catch(showError)} />
              )
            : null
        }
        emptyText={backroom ? 'The Back Room is quiet. Say hi to the host!' : joinedAs ? 'No messages yet. Say hi!' : 'No messages yet. Join and say hi!'}
      />

      <footer className={cn('relative z-30 shrink-0 pb-[env(safe-area-inset-bottom)]', theme.composer)}>
        <div className="mx-auto h-5 max-w-3xl px-5 pt-1 text-xs" aria-live="polite">
          {typing && (
            <p className={cn('truncate italic', theme.headerMuted)} data-testid="typing-line">
              {typing}
            </p>
          )}
        </div>
        {reconnecting && snapshot.unreachable && online && canWrite ? (
          <p className={cn('flex items-center justify-center gap-2 px-4 pt-1 pb-4 text-sm', theme.headerMuted)} data-testid="composer-unreachable">
            <WifiOffIcon className="size-4" aria-hidden />
            Sending is paused until the chat can be reached again.
          </p>
        ) : closed ? (
          <p className={cn('flex items-center justify-center gap-2 px-4 pt-1 pb-4 text-sm', theme.headerMuted)} data-testid="chat-closed">
            <LockIcon className="size-4" aria-hidden />
            {ended ? 'This chat has ended.' : 'The host locked this chat: it is read-only for now.'}
          </p>
        ) : canWrite && timedOut ? (
          <p className={cn('flex items-center justify-center gap-2 px-4 pt-1 pb-4 text-sm', theme.headerMuted)} data-testid="timed-out">
            <ClockIcon className="size-4" aria-hidden />
            You are timed out until {new Date(mutedUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}. You can read but not send.
          </p>
        ) : canWrite ? (
          <Composer
            theme={theme}
            replyTo={replyTo}
            onCancelReply={() => setReplyTo(null)}
            onSend={onSend}
            onTyping={(hasText) => room?.typingInput(hasText)}
            onBlur={() => room?.typingStop()}
            waitSeconds={waitSeconds}
            mentionNames={mentionNames}
            photos={photosAllowed ? photos : null}
            leading={
              canPay && (pinsOn || tipsOn)
                ? (text) => (
                    <MoneyMenu
                      pinQuoteCents={pinsOn && money ? money.pins.quoteCents : null}
                      currency={currency}
                      onPin={() => setPinTarget({ kind: 'new', text })}
                      onTip={tipsOn ? () => setTipOpen(true) : null}
                    />
                  )
                : undefined
            }
            placeholder={slowMode > 0 && !canModerate ? `Message · slow mode ${slowModeLabel(slowMode)}` : chat.settings.locked ? 'Message · chat locked for participants' : 'Message'}
          />
        ) : snapshot.signedOut ? (
          // The session ended (here or on another device): no reconnecting; sign in and come back here.
          <div className="mx-auto flex max-w-3xl items-center gap-3 px-4 pt-1 pb-4">
            <p className={cn('min-w-0 flex-1 text-sm', theme.headerMuted)}>Sign in again to send messages.</p>
            <Button size="lg" asChild className={cn('rounded-2xl', theme.sendButton)}>
              <Link href={`/login?next=${encodeURIComponent(`/chat/${chat.code}`)}`} data-testid="chat-sign-in">
                <LogInIcon aria-hidden /> Sign in
              </Link>
            </Button>
          </div>
        ) : !joinedAs ? (
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
        self={me}
        canModerate={canModerate && snapshot.joined}
        onClose={() => setActionsFor(null)}
        onReply={(message) => (joinedAs ? setReplyTo(message) : setJoinOpen(true))}
        onReact={handlers.onReact}
        onReport={(message) => setReportFor(message)}
        onDelete={(message) => deleteMessage(message.id)}
        onModerate={moderate}
        pinQuoteLabel={canPay && pinsOn && money ? formatMoney(money.pins.quoteCents, currency) : null}
        onPin={(message) => setPinTarget({ kind: 'message', message })}
        pinnedId={actionsFor ? (livePins.find((p) => p.message.id === actionsFor.id)?.id ?? null) : null}
        onUnpin={unpin}
      />
      <PinDialog target={pinTarget} quoteCents={money?.pins.quoteCents ?? 0} currency={currency} onClose={() => setPinTarget(null)} onPin={pin} />
      {viewer.isHost && <BackroomMembersSheet code={chat.code} open={membersOpen} onOpenChange={setMembersOpen} />}
      <TipDialog open={tipOpen} onOpenChange={setTipOpen} hostName={chat.host.username} currency={currency} onTip={tip} />
      <ReportDialog
        message={reportFor}
        onClose={() => setReportFor(null)}
        onReport={async (message, reason, note) => {
          if (!room) throw new Error('Join the chat to report.');
          await room.report(message.id, reason, note || undefined);
        }}
      />
      {canModerate && (
        <HostTools
          open={toolsOpen}
          onOpenChange={setToolsOpen}
          chat={chat}
          isHost={viewer.isHost}
          liveReports={snapshot.liveReports}
          onChat={(next) => {
            onChatUpdated(next);
            if (!backroom) void room?.loadMoney();
          }}
          onReportHandled={(id) => room?.dismissLiveReport(id)}
          onDeleteMessage={deleteMessage}
        />
      )}
    </div>
    </MediaProvider>
  );
}
