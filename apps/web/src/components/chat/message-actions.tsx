'use client';

import { TIMEOUT_PRESETS_SECONDS, type Member, type Message, type ModerateMemberBody } from '@chatpop/protocol';
import {
  BanIcon,
  ClockIcon,
  CopyIcon,
  EyeOffIcon,
  FlagIcon,
  ForwardIcon,
  HistoryIcon,
  PencilIcon,
  PinIcon,
  PinOffIcon,
  ReplyIcon,
  Trash2Icon,
} from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { FormError } from '@/components/ui/misc';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { copyText } from '@/lib/share';
import { cn } from '@/lib/utils';
import { BanConfirm } from './ban-confirm';

/** The quick reactions offered first; any emoji can come from a reaction chip too. */
export const QUICK_REACTIONS = ['❤️', '👍', '😂', '😮', '😢', '🔥', '🎉', '👏'] as const;

export function timeoutLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}

/**
 * What a long-press (touch) or the ⋯ button (pointer) offers on a message:
 * react, reply, copy, report, delete — and for the host and moderators, act
 * on its author. A bottom sheet that follows the chat's theme.
 */
export function MessageActions({
  message,
  self,
  canModerate,
  onClose,
  onReply,
  onReact,
  onReport,
  onDelete,
  onModerate,
  pinQuoteLabel,
  onPin,
  pinnedId,
  onUnpin,
  canEdit,
  onEdit,
  onHistory,
  onForward,
  pinToTop,
  onDeleteForMe,
  canDeleteForEveryone,
  onDeleteForEveryone,
}: {
  message: Message | null;
  self: Member | null;
  canModerate: boolean;
  onClose: () => void;
  onReply: (message: Message) => void;
  onReact: (message: Message, emoji: string, on: boolean) => void;
  /** Without it (an Inbox conversation), no Report action. */
  onReport?: (message: Message) => void;
  /** Without it, no Delete action. */
  onDelete?: (message: Message) => Promise<void>;
  onModerate?: (memberId: string, username: string, body: ModerateMemberBody) => Promise<void>;
  /** "$12" when I may pay to pin my own messages (paid pins on, not the host). */
  pinQuoteLabel?: string | null;
  onPin?: (message: Message) => void;
  /** The active pin of this message, if any: the host and moderators may take it down. */
  pinnedId?: string | null;
  onUnpin?: (pinId: string) => Promise<void>;
  /** Inbox: whether this message of mine may still be edited, and how. */
  canEdit?: (message: Message) => boolean;
  onEdit?: (message: Message) => void;
  /** Inbox: an edited message's earlier versions. */
  onHistory?: (message: Message) => void;
  /** Inbox: forward the message to other conversations (opens the chooser). */
  onForward?: (message: Message) => void;
  /** Inbox: pin the message at the top of the conversation, or unpin it; absent where I may not. */
  pinToTop?: { pinnedId: string | null; onPin: (message: Message) => Promise<void>; onUnpin: () => Promise<void> };
  /** Inbox: delete for me (any message), and for everyone where `canDeleteForEveryone` allows. */
  onDeleteForMe?: (message: Message) => Promise<void>;
  canDeleteForEveryone?: (message: Message) => boolean;
  onDeleteForEveryone?: (message: Message) => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [showTimeouts, setShowTimeouts] = useState(false);
  const [confirmBan, setConfirmBan] = useState(false);
  const [choosingDelete, setChoosingDelete] = useState(false);
  const deleteChoices = useRef<HTMLDivElement>(null);
  // On a short screen the choices open below the fold: bring them into view.
  useEffect(() => {
    if (choosingDelete) deleteChoices.current?.scrollIntoView({ block: 'nearest' });
  }, [choosingDelete]);
  const own = Boolean(message && self && message.memberId === self.id);
  const author = message?.memberId ?? null;
  // Nobody moderates the host (their messages are the host's type); the server has the last word on the rest.
  const canActOnAuthor = canModerate && onModerate !== undefined && author !== null && !own && message?.type !== 'host';
  const action =
    'flex w-full items-center gap-3 rounded-xl bg-muted px-4 py-3 text-left font-medium text-foreground outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring [&_svg]:size-5';

  const close = () => {
    setError(null);
    setShowTimeouts(false);
    setConfirmBan(false);
    setChoosingDelete(false);
    onClose();
  };
  const run = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
      close();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'That did not work. Try again.');
    }
  };

  return (
    <Sheet open={message !== null} onOpenChange={(open) => !open && close()}>
      <SheetContent side="bottom" data-testid="message-actions" className="mx-auto max-w-lg gap-3 overflow-y-auto px-4 pb-6">
        <SheetHeader className="px-1 pt-4">
          <SheetTitle>{message?.username ?? 'Message'}</SheetTitle>
          <SheetDescription className="line-clamp-3 break-words whitespace-pre-wrap">
            {message?.deletedAt ? 'This message was deleted.' : message?.content}
          </SheetDescription>
        </SheetHeader>
        {self && message && (
          <div className="flex justify-between gap-1 rounded-2xl bg-muted p-1.5" role="group" aria-label="React">
            {QUICK_REACTIONS.map((emoji) => {
              const mine = message.reactions.some((r) => r.emoji === emoji && r.members.some((m) => m.id === self.id));
              return (
                <button
                  key={emoji}
                  type="button"
                  aria-label={`React with ${emoji}`}
                  aria-pressed={mine}
                  onClick={() => {
                    onReact(message, emoji, !mine);
                    close();
                  }}
                  className={cn(
                    'flex size-10 items-center justify-center rounded-xl text-2xl outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring',
                    mine && 'bg-accent ring-1 ring-ring',
                  )}
                  data-testid={`react-${emoji}`}
                >
                  {emoji}
                </button>
              );
            })}
          </div>
        )}
        <div className="flex flex-col gap-2">
          <button type="button" className={action} onClick={() => message && (onReply(message), close())} data-testid="action-reply">
            <ReplyIcon aria-hidden /> Reply
          </button>
          <button type="button" className={action} onClick={() => message && (void copyText(message.content), close())} data-testid="action-copy">
            <CopyIcon aria-hidden /> Copy text
          </button>
          {message && own && onEdit && canEdit?.(message) && (
            <button type="button" className={action} onClick={() => (onEdit(message), close())} data-testid="action-edit">
              <PencilIcon aria-hidden /> Edit
            </button>
          )}
          {message && message.editedAt && !message.deletedAt && onHistory && (
            <button type="button" className={action} onClick={() => (onHistory(message), close())} data-testid="action-history">
              <HistoryIcon aria-hidden /> Edit history
            </button>
          )}
          {message && onForward && !message.deletedAt && message.type !== 'system' && (
            <button type="button" className={action} onClick={() => (onForward(message), close())} data-testid="action-forward">
              <ForwardIcon aria-hidden /> Forward
            </button>
          )}
          {message && pinToTop && !message.deletedAt && message.type !== 'system' &&
            (pinToTop.pinnedId === message.id ? (
              <button type="button" className={action} onClick={() => void run(pinToTop.onUnpin)} data-testid="action-unpin-top">
                <PinOffIcon aria-hidden /> Unpin
              </button>
            ) : (
              <button type="button" className={action} onClick={() => void run(() => pinToTop.onPin(message))} data-testid="action-pin-top">
                <PinIcon aria-hidden /> Pin to the top
              </button>
            ))}
          {message && onDeleteForMe && !choosingDelete && (
            <button type="button" className={cn(action, 'text-destructive')} onClick={() => setChoosingDelete(true)} data-testid="action-delete-choose">
              <Trash2Icon aria-hidden /> Delete…
            </button>
          )}
          {message && onDeleteForMe && choosingDelete && (
            <div
              ref={deleteChoices}
              className="flex flex-col gap-2 rounded-2xl border border-destructive/40 p-2"
              role="group"
              aria-label="Delete this message"
              data-testid="delete-choices"
            >
              <button type="button" className={cn(action, 'text-destructive')} onClick={() => void run(() => onDeleteForMe(message))} data-testid="action-delete-for-me">
                <Trash2Icon aria-hidden /> Delete for me
              </button>
              {onDeleteForEveryone && canDeleteForEveryone?.(message) && (
                <button
                  type="button"
                  className={cn(action, 'text-destructive')}
                  onClick={() => void run(() => onDeleteForEveryone(message))}
                  data-testid="action-delete-for-everyone"
                >
                  <Trash2Icon aria-hidden /> Delete for everyone
                </button>
              )}
              <button type="button" className={action} onClick={() => setChoosingDelete(false)} data-testid="action-delete-cancel">
                Keep it
              </button>
            </div>
          )}
          {message && own && pinQuoteLabel && onPin && !pinnedId && !message.deletedAt && (message.type === 'normal' || message.type === 'pin') && (
            <button type="button" className={action} onClick={() => (onPin(message), close())} data-testid="action-pin">
              <PinIcon aria-hidden /> Pin this message · from {pinQuoteLabel}
            </button>
          )}
          {message && canModerate && pinnedId && onUnpin && (
            <button type="button" className={action} onClick={() => void run(() => onUnpin(pinnedId))} data-testid="action-unpin">
              <PinOffIcon aria-hidden /> Unpin
            </button>
          )}
          {/* Reports go to the host: the host acts on a message directly instead. */}
          {self && self.role !== 'host' && message && onReport && !own && message.type !== 'system' && (
            <button type="button" className={action} onClick={() => (onReport(message), close())} data-testid="action-report">
              <FlagIcon aria-hidden /> Report
            </button>
          )}
          {message && onDelete && (own || canModerate) && (
            <button
              type="button"
              className={cn(action, 'text-destructive')}
              onClick={() => void run(() => onDelete(message))}
              data-testid="action-delete"
            >
              <Trash2Icon aria-hidden /> {own ? 'Delete my message' : 'Delete message'}
            </button>
          )}
          {canActOnAuthor && message && author && (
            <>
              <button
                type="button"
                className={action}
                aria-expanded={showTimeouts}
                onClick={() => setShowTimeouts((v) => !v)}
                data-testid="action-timeout"
              >
                <ClockIcon aria-hidden /> Time out {message.username}
              </button>
              {showTimeouts && (
                <div className="grid grid-cols-3 gap-2" data-testid="timeout-presets">
                  {TIMEOUT_PRESETS_SECONDS.map((seconds) => (
                    <button
                      key={seconds}
                      type="button"
                      className="rounded-xl bg-muted px-3 py-2.5 text-sm font-semibold outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
                      onClick={() => void run(() => onModerate(author, message.username ?? '', { action: 'timeout', seconds }))}
                      data-testid={`timeout-${seconds}`}
                    >
                      {timeoutLabel(seconds)}
                    </button>
                  ))}
                </div>
              )}
              <button
                type="button"
                className={action}
                onClick={() => void run(() => onModerate(author, message.username ?? '', { action: 'hide' }))}
                data-testid="action-hide"
              >
                <EyeOffIcon aria-hidden /> Hide {message.username} silently
              </button>
              <button
                type="button"
                className={cn(action, 'text-destructive')}
                onClick={() => setConfirmBan(true)}
                data-testid="action-ban"
              >
                <BanIcon aria-hidden /> Ban {message.username}
              </button>
              <BanConfirm
                username={message.username ?? ''}
                open={confirmBan}
                onOpenChange={setConfirmBan}
                onBan={async (body) => {
                  await onModerate(author, message.username ?? '', body);
                  close();
                }}
              />
            </>
          )}
        </div>
        <FormError data-testid="message-actions-error">{error}</FormError>
      </SheetContent>
    </Sheet>
  );
}
