'use client';

import type { MemberProfile, Message } from '@chatpop/protocol';
import { AlertCircleIcon, CheckCheckIcon, CheckIcon, ClockIcon, ForwardIcon, MoreHorizontalIcon, PinIcon, ReplyIcon } from 'lucide-react';
import { memo, useRef, type PointerEvent } from 'react';
import { Badge, VerifiedBadge } from '@/components/ui/misc';
import { avatarColour, formatFull, formatTime, initial } from '@/lib/format';
import type { Tick } from '@/lib/inbox';
import { formatMoney } from '@/lib/money';
import type { ChatItem } from '@/lib/message-log';
import { mentions } from '@/lib/sounds';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';
import { PhotoAlbum } from '@/components/media/photo-album';
import { RichText } from './rich-text';

const LONG_PRESS_MS = 450;
const LONG_PRESS_SLOP_PX = 10;

export interface MessageHandlers {
  onReply: (message: Message) => void;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  onActions: (message: Message) => void;
  /** A quote was tapped: show its original (`seq` lets a list load it when it is not loaded yet). */
  onQuoteClick: (messageId: string, seq?: number) => void;
  onReact: (message: Message, emoji: string, on: boolean) => void;
}

/** The participant reading: whose reactions are "mine" and whose name a mention highlights. */
export interface Reader {
  id: string;
  username: string;
}

/** Long-press on touch opens the message actions (the hover menu's touch twin). */
function useLongPress(onLongPress: () => void, enabled: boolean) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const start = useRef<{ x: number; y: number } | null>(null);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    start.current = null;
  };
  return {
    onPointerDown: (e: PointerEvent) => {
      if (!enabled || e.pointerType === 'mouse') return;
      start.current = { x: e.clientX, y: e.clientY };
      timer.current = setTimeout(() => {
        timer.current = null;
        navigator.vibrate?.(10);
        onLongPress();
      }, LONG_PRESS_MS);
    },
    onPointerMove: (e: PointerEvent) => {
      const s = start.current;
      if (s && Math.hypot(e.clientX - s.x, e.clientY - s.y) > LONG_PRESS_SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onPointerLeave: cancel,
  };
}

export const MessageItem = memo(function MessageItem({
  item,
  own,
  showHeader,
  theme,
  handlers,
  reader,
  receipt = null,
  pinnedNow = false,
  profile = null,
}: {
  item: ChatItem;
  own: boolean;
  showHeader: boolean;
  theme: ChatTheme;
  handlers: MessageHandlers;
  reader: Reader | null;
  /** Inbox: how far my sent message got (✓, ✓✓, read); null where there are no receipts (pop chats). */
  receipt?: Tick | null;
  /** Pinned by a paid pin right now (an existing message pinned: the stream shows it too). */
  pinnedNow?: boolean;
  /** The account behind a verified author: their display name and avatar. */
  profile?: MemberProfile | null;
}) {
  const { message, status, error } = item;
  const mentionsMe = !own && reader !== null && mentions(message.content, reader.username);
  const deleted = Boolean(message.deletedAt);
  const isHost = message.type === 'host';
  const isTip = message.type === 'tip';
  const isPaidPin = message.type === 'pin';
  const paidLabel = isTip || isPaidPin ? `${isTip ? 'Tip' : 'Paid pin'}${message.amountCents ? ` · ${formatMoney(message.amountCents)}` : ''}` : null;
  const interactive = status === 'sent' && !deleted;
  const longPress = useLongPress(() => handlers.onActions(message), interactive);

  const common = {
    'data-testid': 'message',
    'data-seq': status === 'sent' ? message.seq : undefined,
    'data-status': status,
    'data-message-id': message.id,
    'data-client-id': message.clientId ?? undefined,
    'data-type': message.type,
    'data-own': own,
    'data-receipt': own && status === 'sent' && receipt ? receipt : undefined,
  };

  if (message.type === 'system') {
    return (
      <div {...common} className="my-3 flex justify-center px-6">
        <p className={cn('max-w-md rounded-full px-3 py-1 text-center text-xs', theme.systemText)}>{message.content}</p>
      </div>
    );
  }

  const bubbleClass = isTip
    ? cn(theme.tipBubble, own ? 'rounded-br-md' : 'rounded-bl-md')
    : own
      ? cn(theme.ownBubble, 'rounded-br-md', isHost && theme.ownHostRing)
      : cn(isHost ? theme.hostBubble : theme.otherBubble, 'rounded-bl-md', isPaidPin && 'ring-2 ring-emerald-400');
  // On a tip's tinted bubble the usual grey is too faint: one step darker (light themes).
  const metaClass = own && !isTip ? theme.ownMeta : cn(theme.otherMeta, isTip && theme.type === 'light' && 'text-zinc-600');

  return (
    <div
      {...common}
      className={cn('group flex w-full items-end gap-2', own ? 'justify-end' : 'justify-start', showHeader ? 'mt-3' : 'mt-1')}
    >
      {!own &&
        (showHeader ? (
          profile?.avatarUrl ? (
            <img src={profile.avatarUrl} alt="" className="mb-0.5 size-8 shrink-0 self-start rounded-full object-cover" data-testid="message-avatar" />
          ) : (
            <span
              className={cn('mb-0.5 flex size-8 shrink-0 items-center justify-center self-start rounded-full text-sm font-semibold text-white', avatarColour(message.username))}
              aria-hidden
            >
              {initial(message.username)}
            </span>
          )
        ) : (
          <span className="w-8 shrink-0" aria-hidden />
        ))}

      <div className={cn('flex max-w-[82%] min-w-0 flex-col sm:max-w-[70%]', own ? 'items-end' : 'items-start')}>
        {showHeader && !own && (
          <div className="mb-1 flex items-center gap-1 px-1 text-xs">
            {profile?.displayName ? (
              <>
                <span className={cn('font-semibold', theme.username)} data-testid="message-display-name">
                  {profile.displayName}
                </span>
                <span className={cn('opacity-80', theme.username)}>@{message.username}</span>
              </>
            ) : (
              <span className={cn('font-semibold', theme.username)}>{message.username ?? 'Someone'}</span>
            )}
            {message.verified && <VerifiedBadge className="size-3.5" />}
            {isHost && <Badge className={cn('ml-1', theme.hostLabel)}>Host</Badge>}
            {paidLabel && (
              <Badge className={cn('ml-1', isTip ? 'bg-pink-600 text-white' : 'bg-emerald-700 text-white')} data-testid="paid-label">
                {paidLabel}
              </Badge>
            )}
          </div>
        )}

        <div className={cn('flex max-w-full items-center gap-1', own && 'flex-row-reverse')}>
          <div
            {...longPress}
            onContextMenu={(e) => {
              // The long-press menu replaces the browser's own on touch screens.
              if (window.matchMedia('(pointer: coarse)').matches && interactive) e.preventDefault();
            }}
            className={cn(
              'relative max-w-full min-w-0 rounded-2xl px-3.5 py-2 text-[0.9375rem] leading-relaxed [-webkit-touch-callout:none]',
              bubbleClass,
              status === 'pending' && 'opacity-80',
              status === 'failed' && 'ring-2 ring-red-500',
              mentionsMe && 'ring-2 ring-amber-400',
            )}
            data-mentions-me={mentionsMe || undefined}
          >
            {own && isHost && (
              <Badge className={cn('mb-1 -ml-0.5', theme.hostLabel)}>Host</Badge>
            )}
            {own && paidLabel && (
              <Badge className={cn('mb-1 -ml-0.5', isTip ? 'bg-pink-600 text-white' : 'bg-emerald-800 text-white')} data-testid="paid-label">
                {paidLabel}
              </Badge>
            )}
            {pinnedNow && !isPaidPin && !message.deletedAt && (
              <Badge className="mb-1 -ml-0.5 gap-1 bg-emerald-700 text-white" data-testid="pinned-mark">
                <PinIcon className="size-3" aria-hidden /> Pinned
              </Badge>
            )}
            {message.forwarded && !deleted && (
              <p className="mb-0.5 flex items-center gap-1 text-xs italic opacity-80" data-testid="forwarded-label">
                <ForwardIcon className="size-3.5" aria-hidden /> Forwarded
              </p>
            )}
            {message.replyTo && (
              <button
                type="button"
                onClick={() => message.replyTo && handlers.onQuoteClick(message.replyTo.id, message.replyTo.seq)}
                className={cn(
                  'mb-1.5 block w-full rounded-lg border-l-4 px-2.5 py-1.5 text-left text-[0.8125rem] outline-none focus-visible:ring-2 focus-visible:ring-current',
                  own ? theme.ownQuote : theme.otherQuote,
                )}
                data-testid="reply-quote"
              >
                <span className="block font-semibold">{message.replyTo.username ?? 'Someone'}</span>
                <span className="line-clamp-2 break-words whitespace-pre-wrap">
                  {message.replyTo.deleted ? <em data-testid="reply-quote-deleted">Original message was deleted</em> : message.replyTo.content}
                </span>
              </button>
            )}
            {deleted ? (
              <p className="italic opacity-80" data-testid="message-deleted">
                This message was deleted.
              </p>
            ) : (
              <>
                {message.attachments?.length ? <PhotoAlbum message={message} /> : null}
                {(message.content || !message.attachments?.length) && (
                  <p className="break-words whitespace-pre-wrap" data-testid="message-content">
                    <RichText text={message.content} readerName={reader?.username ?? null} />
                  </p>
                )}
              </>
            )}
            <div className={cn('mt-0.5 flex items-center justify-end gap-1 text-[0.6875rem] leading-none', metaClass)}>
              {message.editedAt && !deleted && (
                <span title={`Edited ${formatFull(message.editedAt)}`} data-testid="message-edited">
                  edited
                </span>
              )}
              <time dateTime={message.createdAt} title={formatFull(message.createdAt)}>
                {formatTime(message.createdAt)}
              </time>
              {own && status === 'pending' && <ClockIcon className="size-3" aria-label="Sending" role="img" />}
              {own && status === 'sent' &&
                (receipt === 'read' ? (
                  <CheckCheckIcon className={cn('size-3.5', theme.readTick)} strokeWidth={2.75} aria-label="Read" role="img" data-testid="receipt-read" />
                ) : receipt === 'delivered' ? (
                  <CheckCheckIcon className="size-3.5" aria-label="Delivered" role="img" data-testid="receipt-delivered" />
                ) : (
                  <CheckIcon className="size-3" aria-label="Sent" role="img" data-testid="receipt-sent" />
                ))}
              {own && status === 'failed' && <AlertCircleIcon className="size-3" aria-label="Not sent" role="img" />}
            </div>
          </div>

          {interactive && (
            <button
              type="button"
              onClick={() => handlers.onActions(message)}
              className="flex size-8 shrink-0 items-center justify-center rounded-full text-current opacity-0 transition-opacity outline-none group-hover:opacity-70 hover:bg-black/5 hover:opacity-100! focus-visible:opacity-100 focus-visible:ring-2 focus-visible:ring-ring pointer-coarse:hidden dark:hover:bg-white/10"
              aria-label={`More actions for the message from ${message.username ?? 'someone'}`}
              data-testid="message-more"
            >
              <MoreHorizontalIcon className="size-4" aria-hidden />
            </button>
          )}
          {interactive && (
            <button
              type="button"
              onClick={() => handlers.onReply(message)}
              className="flex size-8 shrink-0 items-center justify-center rounded-full text-current opacity-0 transition-opacity outline-none group-hover:opacity-70 hover:bg-black/5 hover:opacity-100! focus-visible:opacity-100 focus-visible:ring-2 focus-visible:ring-ring pointer-coarse:opacity-45 dark:hover:bg-white/10"
              aria-label={`Reply to ${message.username ?? 'this message'}`}
              data-testid="reply-button"
            >
              <ReplyIcon className="size-4" aria-hidden />
            </button>
          )}
        </div>

        {!deleted && message.reactions.length > 0 && (
          <ul className={cn('mt-1 flex flex-wrap gap-1', own && 'justify-end')} data-testid="reactions" aria-label="Reactions">
            {message.reactions.map((r) => {
              const mine = reader !== null && r.members.some((m) => m.id === reader.id);
              const names = r.members.map((m) => m.username);
              const who = names.join(', ') + (r.count > names.length ? ` and ${r.count - names.length} more` : '');
              return (
                <li key={r.emoji}>
                  <button
                    type="button"
                    onClick={() => reader && handlers.onReact(message, r.emoji, !mine)}
                    disabled={!reader || status !== 'sent'}
                    aria-pressed={mine}
                    aria-label={`${r.emoji} ${r.count}: ${who}`}
                    title={who}
                    className={cn(
                      // A 28 px chip with a 44 px touch target (the ::before reaches 8 px above and below).
                      'relative inline-flex h-7 min-w-11 items-center justify-center gap-1 rounded-full px-2 text-sm ring-1 outline-none before:absolute before:inset-x-0 before:-inset-y-2 focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-default',
                      mine ? 'bg-sky-100 text-sky-950 ring-sky-500 dark:bg-cyan-900 dark:text-cyan-50 dark:ring-cyan-400' : 'bg-white/90 text-zinc-900 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-50 dark:ring-zinc-600',
                    )}
                    data-testid="reaction"
                    data-emoji={r.emoji}
                    data-mine={mine}
                  >
                    <span aria-hidden>{r.emoji}</span>
                    <span className="text-xs font-semibold tabular-nums" aria-hidden>
                      {r.count}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}

        {status === 'failed' && item.message.clientId && (
          <div className="mt-1 flex flex-wrap items-center justify-end gap-2 px-1 text-xs" role="alert">
            <span className="text-red-700 dark:text-red-400" data-testid="send-error">
              {error ?? 'Not sent.'}
            </span>
            <button
              type="button"
              onClick={() => item.message.clientId && handlers.onRetry(item.message.clientId)}
              className="rounded-full bg-red-600 px-2.5 py-1 font-semibold text-white outline-none hover:bg-red-700 focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-1"
              data-testid="retry-send"
            >
              Retry
            </button>
            <button
              type="button"
              onClick={() => item.message.clientId && handlers.onDiscard(item.message.clientId)}
              className="rounded-full px-2 py-1 font-medium underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
              data-testid="discard-send"
            >
              Delete
            </button>
          </div>
        )}
      </div>
    </div>
  );
});
