'use client';

import type { ConversationSummary, InboxSummary, UserPresence } from '@chatpop/protocol';
import {
  ArchiveIcon,
  ArrowLeftIcon,
  AtSignIcon,
  BellOffIcon,
  ChevronRightIcon,
  InboxIcon,
  MailIcon,
  MessageSquareIcon,
  PinIcon,
  SendIcon,
  SquarePenIcon,
  UserRoundCogIcon,
} from 'lucide-react';
import Link from 'next/link';
import { memo } from 'react';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { isUnread, listTime, previewText, unreadBadge } from '@/lib/inbox';
import type { ArchiveSnapshot, InboxSnapshot } from '@/lib/inbox-store';
import { typingLabel } from '@/lib/message-log';
import { isMutedNow } from '@/lib/presence';
import type { ChatTheme } from '@/lib/themes';
import { useNow } from '@/lib/use-now';
import { cn } from '@/lib/utils';
import { AvatarWithPresence } from './presence';

const numberFormat = new Intl.NumberFormat();

/** The dashboard's three counts (SPEC §4): conversations, messages sent, unread. */
export function InboxDashboard({ summary }: { summary: InboxSummary | null }) {
  const cards = [
    { key: 'conversations', label: 'Conversations', value: summary?.conversations, icon: MessageSquareIcon },
    { key: 'sent', label: 'Messages sent', value: summary?.messagesSent, icon: SendIcon },
    { key: 'unread', label: 'Unread', value: summary?.unread, icon: MailIcon },
  ];
  return (
    <section aria-label="Your Inbox at a glance" className="grid grid-cols-3 gap-2 px-3 pt-3 pb-2" data-testid="inbox-dashboard">
      {cards.map((card) => (
        <div
          key={card.key}
          className={cn(
            'flex min-w-0 flex-col gap-0.5 rounded-2xl bg-card px-3 py-2.5 text-card-foreground shadow-sm ring-1 ring-border',
            card.key === 'unread' && (summary?.unread ?? 0) > 0 && 'ring-2 ring-primary',
          )}
          data-testid={`inbox-stat-${card.key}`}
        >
          <card.icon className="size-4 text-muted-foreground" aria-hidden />
          <span className="text-xl leading-tight font-bold tabular-nums" data-testid="inbox-stat-value">
            {card.value === undefined ? '–' : numberFormat.format(card.value)}
          </span>
          <span className="truncate text-xs text-muted-foreground">{card.label}</span>
        </div>
      ))}
      {summary && summary.mentions > 0 && (
        <p className="col-span-3 flex items-center gap-1.5 px-1 text-xs font-medium text-primary" data-testid="inbox-mentions">
          <AtSignIcon className="size-3.5" aria-hidden /> {summary.mentions} unread {summary.mentions === 1 ? 'mention' : 'mentions'}
        </p>
      )}
    </section>
  );
}

export function ConversationList({
  snapshot,
  activeId,
  theme,
  onNew,
  onRetry,
  onLoadMore,
  onOpenArchive,
}: {
  snapshot: InboxSnapshot;
  activeId: string | null;
  theme: ChatTheme;
  onNew: () => void;
  onRetry: () => void;
  onLoadMore: () => void;
  onOpenArchive: () => void;
}) {
  // Relative times ("5 min") move on by themselves.
  const now = useNow(true, 30_000);

  if (snapshot.needsUsername) {
    return (
      <div className="flex flex-col items-center gap-3 px-6 py-12 text-center" data-testid="inbox-needs-username">
        <UserRoundCogIcon className="size-10 text-muted-foreground" aria-hidden />
        <h2 className="text-lg font-semibold">Choose a username first</h2>
        <p className="text-sm text-muted-foreground">People find each other in the Inbox by username. Pick yours in your profile, then come back.</p>
        <Button asChild>
          <Link href="/account">Open my profile</Link>
        </Button>
      </div>
    );
  }
  if (snapshot.status === 'loading') {
    return (
      <div className="flex justify-center py-12 text-muted-foreground">
        <Spinner label="Loading your conversations" />
      </div>
    );
  }
  if (snapshot.status === 'error') {
    return (
      <div className="p-3">
        <Alert
          title="Couldn't load your conversations"
          action={
            <Button size="sm" variant="outline" onClick={onRetry} data-testid="inbox-retry">
              Try again
            </Button>
          }
        >
          {snapshot.error}
        </Alert>
      </div>
    );
  }
  const archived = snapshot.summary?.archived ?? 0;
  const archiveEntry = archived > 0 && (
    <div className="px-2 pt-1">
      <button
        type="button"
        onClick={onOpenArchive}
        className="flex w-full items-center gap-3 rounded-2xl px-2.5 py-2 text-left text-sm font-medium outline-none transition-colors hover:bg-black/[0.04] focus-visible:ring-2 focus-visible:ring-ring dark:hover:bg-white/[0.06]"
        data-testid="open-archive"
      >
        <span className="flex size-12 shrink-0 items-center justify-center text-muted-foreground">
          <ArchiveIcon className="size-5" aria-hidden />
        </span>
        <span className="flex-1">Archived</span>
        <span className="text-xs text-muted-foreground tabular-nums" data-testid="archived-count">
          {numberFormat.format(archived)}
        </span>
        <ChevronRightIcon className="size-4 text-muted-foreground" aria-hidden />
      </button>
    </div>
  );
  if (snapshot.conversations.length === 0) {
    return (
      <>
        {archiveEntry}
        <div className="flex flex-col items-center gap-3 px-6 py-12 text-center" data-testid="inbox-empty">
          <span className={cn('flex size-14 items-center justify-center rounded-2xl', theme.systemText)}>
            <InboxIcon className="size-7" aria-hidden />
          </span>
          <h2 className="text-lg font-semibold">No conversations yet</h2>
          <p className="max-w-xs text-sm text-muted-foreground">Find someone by their username or name and say hi, or start a group with two or more people.</p>
          <Button onClick={onNew} data-testid="inbox-empty-new">
            <SquarePenIcon aria-hidden /> Start a conversation
          </Button>
        </div>
      </>
    );
  }
  return (
    <>
      {archiveEntry}
      <Rows label="Conversations" testId="conversation-list" rows={snapshot.conversations} snapshot={snapshot} activeId={activeId} now={now} />
      {snapshot.hasMore && (
        <div className="flex justify-center pb-6">
          <Button variant="outline" size="sm" onClick={onLoadMore} disabled={snapshot.loadingMore} data-testid="inbox-load-more">
            {snapshot.loadingMore ? <Spinner label="Loading more conversations" /> : 'Show more conversations'}
          </Button>
        </div>
      )}
    </>
  );
}

/**
 * The archive (`?archived=true`) in place of the list: the same rows, a way
 * back, and each row's details let it out again.
 */
export function ArchiveList({
  snapshot,
  activeId,
  onBack,
  onRetry,
  onLoadMore,
}: {
  snapshot: InboxSnapshot;
  activeId: string | null;
  onBack: () => void;
  onRetry: () => void;
  onLoadMore: () => void;
}) {
  const now = useNow(true, 30_000);
  const archive: ArchiveSnapshot = snapshot.archive;
  return (
    <section aria-labelledby="archive-title" data-testid="archive">
      <div className="flex items-center gap-1 px-2 pt-2">
        <button
          type="button"
          onClick={onBack}
          className="flex size-10 items-center justify-center rounded-xl outline-none hover:bg-black/[0.04] focus-visible:ring-2 focus-visible:ring-ring dark:hover:bg-white/[0.06]"
          aria-label="Back to all conversations"
          data-testid="close-archive"
        >
          <ArrowLeftIcon className="size-5" aria-hidden />
        </button>
        <h2 id="archive-title" className="text-base font-semibold">
          Archived
        </h2>
      </div>
      <p className="px-4 pb-2 text-xs text-muted-foreground">A new message brings a conversation back to your list, unless you muted it.</p>
      {archive.status === 'loading' || archive.status === 'idle' ? (
        <div className="flex justify-center py-12 text-muted-foreground">
          <Spinner label="Loading your archive" />
        </div>
      ) : archive.status === 'error' ? (
        <div className="p-3">
          <Alert
            title="Couldn't load your archive"
            action={
              <Button size="sm" variant="outline" onClick={onRetry}>
                Try again
              </Button>
            }
          >
            {archive.error}
          </Alert>
        </div>
      ) : archive.conversations.length === 0 ? (
        <p className="px-6 py-12 text-center text-sm text-muted-foreground" data-testid="archive-empty">
          Nothing archived.
        </p>
      ) : (
        <>
          <Rows label="Archived conversations" testId="archive-list" rows={archive.conversations} snapshot={snapshot} activeId={activeId} now={now} />
          {archive.hasMore && (
            <div className="flex justify-center pb-6">
              <Button variant="outline" size="sm" onClick={onLoadMore}>
                Show more archived conversations
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Rows({
  label,
  testId,
  rows,
  snapshot,
  activeId,
  now,
}: {
  label: string;
  testId: string;
  rows: readonly ConversationSummary[];
  snapshot: InboxSnapshot;
  activeId: string | null;
  now: number;
}) {
  return (
    <ul className="flex flex-col px-2 pb-3" aria-label={label} data-testid={testId}>
      {rows.map((conversation) => (
        <li key={conversation.id}>
          <ConversationRow
            conversation={conversation}
            active={conversation.id === activeId}
            now={now}
            presence={conversation.kind === 'direct' ? snapshot.presence[conversation.members[0]?.userId ?? ''] : undefined}
            typing={snapshot.typing[conversation.id]}
          />
        </li>
      ))}
    </ul>
  );
}

const ConversationRow = memo(function ConversationRow({
  conversation: c,
  active,
  now,
  presence,
  typing,
}: {
  conversation: ConversationSummary;
  active: boolean;
  now: number;
  presence: UserPresence | undefined;
  typing: readonly string[] | undefined;
}) {
  const unread = isUnread(c);
  const muted = isMutedNow(c, now);
  const time = listTime(c.lastActivityAt, new Date(now));
  return (
    <Link
      href={`/inbox/${encodeURIComponent(c.id)}`}
      aria-current={active ? 'page' : undefined}
      className={cn(
        'flex items-center gap-3 rounded-2xl px-2.5 py-2.5 outline-none transition-colors focus-visible:ring-2 focus-visible:ring-ring',
        active ? 'bg-primary/12 dark:bg-primary/20' : 'hover:bg-black/[0.04] dark:hover:bg-white/[0.06]',
      )}
      data-testid="conversation-row"
      data-conversation-id={c.id}
      data-unread={unread || undefined}
    >
      <AvatarWithPresence name={c.name} avatarUrl={c.avatarUrl} presence={presence} />
      <span className="flex min-w-0 flex-1 flex-col gap-0.5">
        <span className="flex items-center gap-1.5">
          <span className={cn('truncate', unread ? 'font-bold' : 'font-semibold')} data-testid="conversation-name">
            {c.name}
          </span>
          {c.kind === 'group' && <span className="shrink-0 text-xs text-muted-foreground">· {c.memberCount}</span>}
          {c.pinned && <PinIcon className="size-3.5 shrink-0 text-muted-foreground" aria-label="Pinned" role="img" />}
          {muted && <BellOffIcon className="size-3.5 shrink-0 text-muted-foreground" aria-label="Muted" role="img" data-testid="muted-mark" />}
          <time
            dateTime={c.lastActivityAt}
            className={cn('ml-auto shrink-0 pl-2 text-xs tabular-nums', unread ? 'font-semibold text-primary' : 'text-muted-foreground')}
          >
            {time}
          </time>
        </span>
        <span className="flex items-center gap-2">
          {typing && typing.length > 0 ? (
            <span className="min-w-0 flex-1 truncate text-sm font-medium text-primary italic" data-testid="conversation-typing">
              {typingLabel(typing)}
            </span>
          ) : (
            <span className={cn('min-w-0 flex-1 truncate text-sm', unread ? 'text-foreground' : 'text-muted-foreground')} data-testid="conversation-preview">
              {previewText(c)}
            </span>
          )}
          {c.mentionCount > 0 && (
            <span
              className="flex size-5 shrink-0 items-center justify-center rounded-full bg-primary text-primary-foreground"
              aria-label={`You were mentioned${c.mentionCount > 1 ? ` ${c.mentionCount} times` : ''}`}
              role="img"
              data-testid="mention-badge"
              data-count={c.mentionCount}
            >
              <AtSignIcon className="size-3" aria-hidden />
            </span>
          )}
          {c.unreadCount > 0 ? (
            <span
              className={cn(
                'flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full px-1.5 text-[0.6875rem] font-bold tabular-nums',
                muted ? 'bg-zinc-500 text-white' : 'bg-primary text-primary-foreground',
              )}
              data-testid="unread-badge"
            >
              <span aria-hidden>{unreadBadge(c.unreadCount)}</span>
              <span className="sr-only">{`${c.unreadCount} unread`}</span>
            </span>
          ) : c.markedUnread ? (
            <span className="size-3 shrink-0 rounded-full bg-primary" role="img" aria-label="Marked as unread" data-testid="marked-unread" />
          ) : null}
        </span>
      </span>
    </Link>
  );
});
