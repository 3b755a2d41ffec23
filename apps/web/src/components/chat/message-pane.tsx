'use client';

import type { MemberProfile, Message } from '@chatpop/protocol';
import { ArrowDownIcon, Loader2Icon, MessageCircleIcon } from 'lucide-react';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type FocusEvent, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import type { HistoryState, MissedBlock } from '@/lib/chat-room';
import type { Tick } from '@/lib/inbox';
import { dayKey, formatDay } from '@/lib/format';
import type { ChatItem } from '@/lib/message-log';
import { patternImage, type ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';
import { MessageItem, type MessageHandlers, type Reader } from './message-item';
import { LiveAnnouncer } from './live-announcer';
import { StickyHost } from './sticky-host';

/** Within this distance of the bottom, new messages scroll into view by themselves. */
const NEAR_BOTTOM_PX = 120;
/** This close to the top, the next older page loads. */
const LOAD_OLDER_PX = 200;
/** Consecutive messages of one sender within this time share one header. */
const GROUP_WINDOW_MS = 5 * 60_000;
/** A row's height before it is drawn and measured (a one-line message with its margin). */
const ESTIMATED_ROW_PX = 64;
/** Rows drawn beyond the visible ones on each side, so a quick flick shows no blank. */
const OVERSCAN_ROWS = 10;
/** A hole filled quicker than this never shows its loading sign (no flicker on every small gap). */
const CATCHING_UP_SHOW_AFTER_MS = 400;

/** True once `on` has stayed true for `delayMs`. */
function useDelayed(on: boolean, delayMs: number): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!on) {
      setShown(false);
      return;
    }
    const timer = setTimeout(() => setShown(true), delayMs);
    return () => clearTimeout(timer);
  }, [on, delayMs]);
  return on && shown;
}

/** Where a partial replay left messages out: "N missed messages — show". */
function MissedDivider({ block, theme, onShow }: { block: MissedBlock; theme: ChatTheme; onShow: (afterSeq: number) => void }) {
  const label = `${block.count.toLocaleString('en-US')} missed ${block.count === 1 ? 'message' : 'messages'}`;
  return (
    <div className="my-3 flex items-center gap-3" data-testid="missed-divider">
      <span className="h-px flex-1 bg-current opacity-20" aria-hidden />
      <Button
        size="sm"
        variant="outline"
        className={cn('rounded-full', theme.systemText)}
        disabled={block.loading}
        onClick={() => onShow(block.afterSeq)}
        data-testid="missed-show"
      >
        {block.loading ? (
          <>
            <Loader2Icon className="size-4 animate-spin" aria-hidden /> Loading {label}…
          </>
        ) : block.error ? (
          <>Couldn&apos;t load {label} — try again</>
        ) : (
          <>{label} — show</>
        )}
      </Button>
      <span className="h-px flex-1 bg-current opacity-20" aria-hidden />
      {block.error && (
        <span role="alert" className="sr-only">
          {block.error}
        </span>
      )}
    </div>
  );
}

/** Centres a drawn message and flashes it; false when it is not drawn. */
function flashMessage(container: HTMLElement | null, messageId: string): boolean {
  const el = container?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
  if (!el) return false;
  el.scrollIntoView({ block: 'center', behavior: 'auto' });
  el.animate([{ backgroundColor: 'rgb(250 204 21 / 0.35)' }, { backgroundColor: 'transparent' }], { duration: 1_400, easing: 'ease-out' });
  return true;
}

/** After React has drawn what a load brought (two frames: the commit, then layout). */
const afterPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));

/**
 * Keeps a shown message on screen while the rows drawn around it are
 * measured and older pages arrive above it: whatever moves it, it is brought
 * back until it has stayed put for a few frames, or the reader takes over
 * (a wheel, a touch, a key), or two seconds have passed.
 */
async function keepInView(container: HTMLElement | null, messageId: string, current: () => boolean, redraw: () => void): Promise<void> {
  if (!container) return;
  let readerMoved = false;
  const reader = () => (readerMoved = true);
  const inputs = ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const;
  for (const type of inputs) container.addEventListener(type, reader, { passive: true });
  try {
    const until = performance.now() + 2_000;
    let still = 0;
    let lastTop = Number.NaN;
    while (current() && !readerMoved && performance.now() < until) {
      await afterPaint();
      const el = container.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
      if (!el) {
        redraw();
        still = 0;
        continue;
      }
      const row = el.getBoundingClientRect();
      const view = container.getBoundingClientRect();
      if (row.top >= view.top && row.bottom <= view.bottom) {
        still = row.top === lastTop ? still + 1 : 0;
        lastTop = row.top;
        if (still >= 4) return;
      } else {
        el.scrollIntoView({ block: 'center', behavior: 'auto' });
        still = 0;
        lastTop = Number.NaN;
      }
    }
  } finally {
    for (const type of inputs) container.removeEventListener(type, reader);
  }
}

type Jump = { status: 'loading' } | { status: 'missing' } | null;

function sameGroup(prev: ChatItem | undefined, item: ChatItem): boolean {
  if (!prev) return false;
  const a = prev.message;
  const b = item.message;
  return (
    a.type !== 'system' &&
    b.type !== 'system' &&
    a.memberId !== null &&
    a.memberId === b.memberId &&
    a.type === b.type &&
    dayKey(a.createdAt) === dayKey(b.createdAt) &&
    Date.parse(b.createdAt) - Date.parse(a.createdAt) < GROUP_WINDOW_MS
  );
}

export function MessagePane({
  items,
  hostMessages,
  selfId,
  reader,
  theme,
  history,
  onLoadOlder,
  onRetryHistory,
  handlers,
  before,
  pinned,
  emptyText,
  startText = 'This is the beginning of the chat',
  receiptFor,
  afterItem,
  catchingUp = false,
  missed = [],
  onShowMissed = () => undefined,
  pinnedMessageIds,
  profiles,
  onReveal,
  jumpToSeq = null,
}: {
  items: ChatItem[];
  hostMessages: Message[];
  selfId: string | null;
  reader: Reader | null;
  theme: ChatTheme;
  history: HistoryState;
  onLoadOlder: () => void;
  onRetryHistory: () => void;
  handlers: Omit<MessageHandlers, 'onQuoteClick'>;
  /** Shown above the messages (the host's share card). */
  before?: ReactNode;
  /** Paid pins (or the Inbox's pinned message) for the sticky section, under the host's messages; null when there are none. */
  pinned?: ((select: (messageId: string, seq?: number) => void) => ReactNode) | null;
  /**
   * Loads the history back to `seq` (the room client's `reveal`), so that a
   * tapped quote or pin whose message is not loaded yet can be shown; true once
   * it is there.
   */
  onReveal?: (seq: number) => Promise<boolean>;
  /** A link to one message (`?at=<seq>`, e.g. a search hit): once the history is in, load back to it, scroll there and flash it. */
  jumpToSeq?: number | null;
  emptyText: string;
  /** Over the oldest message once the whole history is loaded. */
  startText?: string;
  /** Inbox: the receipt tick of each of my sent messages. */
  receiptFor?: (item: ChatItem) => Tick | null;
  /** Shown under a message (the Inbox's "Read by …"). */
  afterItem?: (item: ChatItem) => ReactNode;
  /** A hole is being filled: missed messages are loading. */
  catchingUp?: boolean;
  /** Blocks a partial replay left out, each shown as a divider that loads them. */
  missed?: MissedBlock[];
  onShowMissed?: (afterSeq: number) => void;
  /** Messages a paid pin holds right now: marked in the stream as well as in the sticky section. */
  pinnedMessageIds?: ReadonlySet<string>;
  /** Pop chats: the account profiles behind verified authors, by member id. */
  profiles?: ReadonlyMap<string, MemberProfile>;
}) {
  const showCatchingUp = useDelayed(catchingUp, CATCHING_UP_SHOW_AFTER_MS);
  // Each block's divider goes before the first message after it.
  const dividerAt = useMemo(() => {
    const at = new Map<number, MissedBlock>();
    for (const block of missed) {
      const index = items.findIndex((item) => item.status === 'sent' && item.message.seq > block.afterSeq);
      if (index >= 0) at.set(index, block);
    }
    return at;
  }, [items, missed]);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const stickyRef = useRef<HTMLDivElement>(null);
  const [stickyHeight, setStickyHeight] = useState(0);
  const [showPill, setShowPill] = useState(false);
  const nearBottom = useRef(true);
  const previous = useRef<{ first?: string; last?: string; scrollHeight: number; listTop: number; count: number }>({ scrollHeight: 0, listTop: 0, count: 0 });

  const hasSticky = hostMessages.length > 0 || Boolean(pinned);
  useLayoutEffect(() => {
    const el = stickyRef.current;
    if (!hasSticky || !el) {
      setStickyHeight(0);
      return;
    }
    const measure = () => setStickyHeight(el.offsetHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasSticky]);

  const scrollToBottom = useCallback((smooth = false) => {
    const el = scrollerRef.current;
    if (!el) return;
    el.scrollTo({ top: el.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    nearBottom.current = true;
    setShowPill(false);
  }, []);

  // Only the rows on screen (and a few either side) are drawn: a conversation of
  // 10,000 messages keeps a few dozen in the page. Rows are measured as drawn;
  // one above the screen that turns out taller or shorter than guessed moves
  // the scroll position with it, so the reading position holds.
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const listRef = useRef<HTMLDivElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    const top = listRef.current?.offsetTop ?? 0;
    if (top !== scrollMargin) setScrollMargin(top);
  });
  // The row holding keyboard focus stays drawn while it is scrolled away, so focus is never lost.
  const focusedKey = useRef<string | null>(null);
  const rangeExtractor = useCallback((range: Range) => {
    const indexes = defaultRangeExtractor(range);
    const key = focusedKey.current;
    if (key === null) return indexes;
    const at = itemsRef.current.findIndex((item) => item.key === key);
    if (at < 0 || indexes.includes(at)) return indexes;
    return [...indexes, at].sort((a, b) => a - b);
  }, []);
  const getItemKey = useCallback((index: number) => items[index]?.key ?? index, [items]);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollerRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    getItemKey,
    scrollMargin,
    rangeExtractor,
    useFlushSync: false,
  });
  // At the bottom the list stays stuck there (the observer below) however rows turn out; above it, a row
  // measured off the screen's top moves the scroll position with it, so what is read holds still.
  virtualizer.shouldAdjustScrollPositionOnItemSizeChange = (item, _delta, instance) =>
    !nearBottom.current && item.start < (instance.scrollOffset ?? 0);
  const rows = virtualizer.getVirtualItems();
  const hasRows = history.status === 'ready' && items.length > 0;
  const onRowsFocus = (event: FocusEvent<HTMLDivElement>) => {
    focusedKey.current = (event.target as HTMLElement).closest<HTMLElement>('[data-row-key]')?.dataset.rowKey ?? null;
  };
  const onRowsBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) focusedKey.current = null;
  };

  // Keep the reading position: stick to the bottom for new messages when the
  // reader is there, hold still when older pages arrive above, else offer a pill.
  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    const prev = previous.current;
    const first = items[0]?.key;
    const lastItem = items[items.length - 1];
    const last = lastItem?.key;
    const listTop = listRef.current?.offsetTop ?? 0;
    if (prev.count === 0 && items.length > 0) {
      el.scrollTop = el.scrollHeight;
      nearBottom.current = true;
    } else if (first !== prev.first && last === prev.last && items.length > prev.count) {
      // Older rows arrived above: move by exactly what now stands above the row that was first. (The
      // height measured since the last page is not counted again: the virtualizer already moved for it.)
      const at = prev.first === undefined ? -1 : items.findIndex((item) => item.key === prev.first);
      const measured = virtualizer.measurementsCache;
      const was = measured[at];
      const top = measured[0];
      if (at > 0 && was && top) el.scrollTop += was.start - top.start + (listTop - prev.listTop);
      else el.scrollTop += el.scrollHeight - prev.scrollHeight;
    } else if (items.length !== prev.count || last !== prev.last) {
      const mine = lastItem !== undefined && (lastItem.status !== 'sent' || (selfId !== null && lastItem.message.memberId === selfId));
      if (nearBottom.current || (mine && last !== prev.last)) {
        el.scrollTop = el.scrollHeight;
        nearBottom.current = true;
        setShowPill(false);
      } else if (last !== prev.last) {
        setShowPill(true);
      }
    }
    previous.current = { first, last, scrollHeight: el.scrollHeight, listTop, count: items.length };
  }, [items, selfId, virtualizer]);

  // The sticky section or the keyboard changed the space: stay at the bottom if we were there.
  useEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (nearBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    // Rows measured taller or shorter than guessed change the list's height: still at the bottom.
    if (listRef.current) observer.observe(listRef.current);
    return () => observer.disconnect();
  }, [hasRows]);

  useLayoutEffect(() => {
    if (nearBottom.current && scrollerRef.current) scrollerRef.current.scrollTop = scrollerRef.current.scrollHeight;
  }, [stickyHeight]);

  // A short history that does not fill the screen cannot be scrolled up: load more now.
  useEffect(() => {
    const el = scrollerRef.current;
    if (!el || !history.hasMore || history.loadingOlder || history.olderError) return;
    if (el.scrollHeight <= el.clientHeight + LOAD_OLDER_PX) onLoadOlder();
  }, [items, history.hasMore, history.loadingOlder, history.olderError, onLoadOlder]);

  // Only a move up leaves the bottom: rows measured taller after a scroll to the bottom (the event
  // arrives after they grew) must not count as the reader scrolling away.
  const lastScrollTop = useRef(0);
  function onScroll() {
    const el = scrollerRef.current;
    if (!el) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX) nearBottom.current = true;
    else if (el.scrollTop < lastScrollTop.current) nearBottom.current = false;
    lastScrollTop.current = el.scrollTop;
    if (nearBottom.current && showPill) setShowPill(false);
    if (el.scrollTop < LOAD_OLDER_PX && history.hasMore && !history.loadingOlder && !history.olderError) onLoadOlder();
  }

  // Showing a message that may not be loaded yet: load back to it, then scroll there.
  const [jump, setJump] = useState<Jump>(null);
  const jumpRun = useRef(0);
  const showMessage = useCallback(
    async (id: string, seq?: number) => {
      const run = ++jumpRun.current;
      // Loaded but perhaps not drawn: bring its row into the drawn window, then centre and flash it.
      const show = async () => {
        const index = itemsRef.current.findIndex((item) => item.message.id === id);
        if (index < 0) return false;
        nearBottom.current = false;
        virtualizer.scrollToIndex(index, { align: 'center' });
        await afterPaint();
        if (run !== jumpRun.current || !flashMessage(scrollerRef.current, id)) return false;
        const redraw = () => {
          const at = itemsRef.current.findIndex((item) => item.message.id === id);
          if (at >= 0) virtualizer.scrollToIndex(at, { align: 'center' });
        };
        await keepInView(scrollerRef.current, id, () => run === jumpRun.current, redraw);
        return run === jumpRun.current;
      };
      if (await show()) return setJump(null);
      if (run !== jumpRun.current) return;
      if (seq === undefined || !onReveal) return setJump({ status: 'missing' });
      setJump({ status: 'loading' });
      const held = await onReveal(seq).catch(() => false);
      if (run !== jumpRun.current) return;
      await afterPaint();
      if (run !== jumpRun.current) return;
      const shown = held && (await show());
      if (run !== jumpRun.current) return;
      setJump(shown ? null : { status: 'missing' });
    },
    [onReveal, virtualizer],
  );
  // The message a link named: once the first page is in, the same load-back-and-flash as a quote.
  const jumpedTo = useRef<number | null>(null);
  const historyReady = history.status === 'ready';
  useEffect(() => {
    if (jumpToSeq === null || !historyReady || jumpedTo.current === jumpToSeq) return;
    jumpedTo.current = jumpToSeq;
    void (async () => {
      let target = itemsRef.current.find((i) => i.message.seq === jumpToSeq);
      if (!target && onReveal) {
        setJump({ status: 'loading' });
        const held = await onReveal(jumpToSeq).catch(() => false);
        await afterPaint();
        target = held ? itemsRef.current.find((i) => i.message.seq === jumpToSeq) : undefined;
      }
      if (!target) return setJump({ status: 'missing' });
      await showMessage(target.message.id, jumpToSeq);
    })();
  }, [jumpToSeq, historyReady, onReveal, showMessage]);

  useEffect(() => {
    if (jump?.status !== 'missing') return;
    const timer = setTimeout(() => setJump(null), 4_000);
    return () => clearTimeout(timer);
  }, [jump]);
  const fullHandlers = useMemo<MessageHandlers>(() => ({ ...handlers, onQuoteClick: (id, seq) => void showMessage(id, seq) }), [handlers, showMessage]);

  return (
    <main className={cn('relative min-h-0 flex-1 overflow-hidden', theme.messagesArea)}>
      {/* Pattern layer: under everything, no z-index, never takes a tap. */}
      <div
        className="pointer-events-none absolute inset-0"
        style={{
          backgroundImage: patternImage(theme.pattern.color),
          backgroundSize: `${theme.pattern.size}px ${theme.pattern.size}px`,
          opacity: theme.pattern.opacity,
        }}
        aria-hidden
        data-testid="chat-pattern"
      />

      <LiveAnnouncer items={items} selfId={selfId} />
      <StickyHost
        ref={stickyRef}
        messages={hostMessages}
        theme={theme}
        pinned={pinned?.((id, seq) => void showMessage(id, seq))}
        onSelect={(id) => void showMessage(id)}
      />

      <div ref={scrollerRef} onScroll={onScroll} className="absolute inset-0 overflow-y-auto overscroll-contain [overflow-anchor:none]">
        <div
          className="relative z-10 mx-auto flex min-h-full max-w-3xl flex-col px-3 pb-3"
          style={{ paddingTop: stickyHeight + 12 }}
          data-testid="message-list"
          role="log"
          // Not read out as it grows: LiveAnnouncer speaks for it, throttled, so a burst does not flood a screen reader.
          aria-live="off"
          aria-label="Messages"
        >
          {history.status === 'ready' && items.length > 0 && (
            <div className="flex min-h-8 items-center justify-center py-2 text-xs">
              {history.loadingOlder ? (
                <Spinner label="Loading older messages" className="opacity-70" />
              ) : history.olderError ? (
                <Button size="sm" variant="outline" onClick={onLoadOlder} data-testid="load-older-retry">
                  Couldn&apos;t load older messages. Retry
                </Button>
              ) : !history.hasMore ? (
                <span className={cn('rounded-full px-3 py-1', theme.systemText)} data-testid="history-start">
                  {startText}
                </span>
              ) : null}
            </div>
          )}

          {before}

          {history.status === 'loading' ? (
            <div className="flex flex-1 items-center justify-center">
              <Spinner label="Loading messages" className="opacity-70" />
            </div>
          ) : history.status === 'error' ? (
            <div className="flex flex-1 items-center justify-center p-4">
              <Alert
                title="Couldn't load the messages"
                className="w-full max-w-sm"
                action={
                  <Button size="sm" variant="outline" onClick={onRetryHistory} data-testid="history-retry">
                    Try again
                  </Button>
                }
              >
                {history.error}
              </Alert>
            </div>
          ) : items.length === 0 ? (
            <div className="flex flex-1 flex-col items-center justify-center gap-2 py-10 text-center" data-testid="empty-chat">
              <span className={cn('flex size-12 items-center justify-center rounded-2xl', theme.systemText)}>
                <MessageCircleIcon className="size-6" aria-hidden />
              </span>
              <p className={cn('rounded-full px-3 py-1 text-sm', theme.systemText)}>{emptyText}</p>
            </div>
          ) : (
            <div
              ref={listRef}
              className="relative mt-auto w-full shrink-0"
              style={{ height: virtualizer.getTotalSize() }}
              onFocus={onRowsFocus}
              onBlur={onRowsBlur}
              data-testid="message-rows"
            >
                {rows.map((row) => {
                  const i = row.index;
                  const item = items[i];
                  if (!item) return null;
                  const prev = items[i - 1];
                  const newDay = !prev || dayKey(prev.message.createdAt) !== dayKey(item.message.createdAt);
                  const own = item.status !== 'sent' || (selfId !== null && item.message.memberId === selfId);
                  const block = dividerAt.get(i);
                  return (
                    <div
                      key={row.key}
                      ref={virtualizer.measureElement}
                      data-index={i}
                      data-row-key={item.key}
                      className="absolute top-0 left-0 flex w-full flex-col"
                      style={{ transform: `translateY(${row.start - scrollMargin}px)` }}
                      data-testid="message-row"
                    >
                      {block && <MissedDivider block={block} theme={theme} onShow={onShowMissed} />}
                      {newDay && (
                        <div className="my-2 flex justify-center" data-testid="day-separator">
                          <span className={cn('rounded-full px-3 py-0.5 text-[0.6875rem] font-medium', theme.systemText)}>
                            {formatDay(item.message.createdAt)}
                          </span>
                        </div>
                      )}
                      <MessageItem
                        item={item}
                        own={own}
                        showHeader={!sameGroup(prev, item)}
                        theme={theme}
                        handlers={fullHandlers}
                        reader={reader}
                        receipt={own ? (receiptFor?.(item) ?? null) : null}
                        pinnedNow={pinnedMessageIds?.has(item.message.id) ?? false}
                        profile={item.message.memberId ? (profiles?.get(item.message.memberId) ?? null) : null}
                      />
                      {afterItem?.(item)}
                    </div>
                  );
                })}
            </div>
          )}
        </div>
      </div>

      {jump && (
        <div
          role="status"
          className={cn('absolute bottom-14 left-1/2 z-20 inline-flex -translate-x-1/2 items-center gap-1.5 rounded-full px-4 py-1.5 text-sm font-medium', theme.systemText)}
          data-testid="jump-status"
        >
          {jump.status === 'loading' ? (
            <>
              <Loader2Icon className="size-4 animate-spin" aria-hidden /> Loading the message…
            </>
          ) : (
            'That message is not available any more.'
          )}
        </div>
      )}

      {showCatchingUp && (
        <div
          role="status"
          className={cn('absolute bottom-14 left-1/2 z-20 inline-flex -translate-x-1/2 items-center gap-1.5 rounded-full px-4 py-1.5 text-sm font-medium', theme.systemText)}
          data-testid="catching-up"
        >
          <Loader2Icon className="size-4 animate-spin" aria-hidden /> Loading missed messages…
        </div>
      )}

      {showPill && (
        <button
          type="button"
          onClick={() => scrollToBottom(true)}
          className={cn(
            'absolute bottom-3 left-1/2 z-20 inline-flex -translate-x-1/2 items-center gap-1.5 rounded-full px-4 py-2 text-sm font-semibold outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2',
            theme.pill,
          )}
          data-testid="new-messages-pill"
        >
          <ArrowDownIcon className="size-4" aria-hidden /> New messages
        </button>
      )}
    </main>
  );
}
