'use client';

import type { Notification, NotificationKind } from '@chatpop/protocol';
import { AtSignIcon, BellIcon, CheckCheckIcon, CoinsIcon, MessageCircleIcon, PinIcon, ReplyIcon, UserPlusIcon, UsersIcon } from 'lucide-react';
import Link from 'next/link';
import { useState, type ComponentType } from 'react';
import { Popover, PopoverContent, PopoverTrigger } from '@/components/ui/popover';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/misc';
import { formatAgo } from '@/lib/format';
import { bellBadge, describeNotification } from '@/lib/notifications';
import { useNotifications, useTitleCount } from '@/lib/use-notifications';
import { cn } from '@/lib/utils';

const ICONS: Record<NotificationKind, ComponentType<{ className?: string; 'aria-hidden'?: boolean }>> = {
  mention: AtSignIcon,
  reply: ReplyIcon,
  direct_message: MessageCircleIcon,
  contact_request: UserPlusIcon,
  group_added: UsersIcon,
  pin_outbid: PinIcon,
  tip_received: CoinsIcon,
};

/**
 * The header's bell (SPEC §4): the unread count, kept live; a list of what
 * happened with "Mark all read"; each item leads to its message. The tab's
 * title carries the count too.
 */
export function NotificationBell({ className }: { className?: string }) {
  const bell = useNotifications(true);
  const [open, setOpen] = useState(false);
  useTitleCount(bell.unread);
  const label = bell.unread ? `Notifications, ${bell.unread} unread` : 'Notifications';

  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger
        aria-label={label}
        className={cn(
          'relative inline-flex size-10 items-center justify-center rounded-full text-zinc-700 outline-none hover:bg-violet-50 hover:text-zinc-900 focus-visible:ring-2 focus-visible:ring-ring',
          className,
        )}
        data-testid="notification-bell"
      >
        <BellIcon className="size-5" aria-hidden />
        {bell.unread ? (
          <span
            className="absolute -top-0.5 -right-0.5 flex h-5 min-w-5 items-center justify-center rounded-full bg-pink-700 px-1.5 text-[0.6875rem] font-bold text-white tabular-nums"
            aria-hidden
            data-testid="notification-badge"
          >
            {bellBadge(bell.unread)}
          </span>
        ) : null}
      </PopoverTrigger>
      <PopoverContent align="end" className="flex max-h-[min(32rem,80dvh)] flex-col gap-2 p-0" data-testid="notification-list" aria-label="Notifications">
        <div className="flex items-center justify-between gap-2 border-b border-border px-4 py-3">
          <h2 className="text-base font-semibold">Notifications</h2>
          <Button
            variant="ghost"
            size="sm"
            disabled={bell.unread === 0}
            onClick={() => void bell.markRead(null).catch(() => undefined)}
            data-testid="notifications-mark-all"
          >
            <CheckCheckIcon aria-hidden /> Mark all read
          </Button>
        </div>
        <div className="flex-1 overflow-y-auto px-2 pb-2">
          {bell.status === 'loading' ? (
            <div className="flex justify-center py-6">
              <Spinner label="Loading notifications" />
            </div>
          ) : bell.status === 'error' && bell.items.length === 0 ? (
            <p className="px-2 py-6 text-center text-sm text-zinc-600">Could not load your notifications. They will come when the connection is back.</p>
          ) : bell.items.length === 0 ? (
            <p className="px-2 py-6 text-center text-sm text-zinc-600" data-testid="notifications-empty">
              Nothing yet. Mentions, replies, messages and tips show up here.
            </p>
          ) : (
            <ul className="flex flex-col gap-1">
              {bell.items.map((n) => (
                <li key={n.id}>
                  <NotificationItem
                    notification={n}
                    onFollow={() => {
                      setOpen(false);
                      if (!n.read) void bell.markRead([n.id]).catch(() => undefined);
                    }}
                  />
                </li>
              ))}
            </ul>
          )}
          {bell.nextCursor && (
            <div className="flex justify-center pt-2">
              <Button variant="ghost" size="sm" onClick={() => void bell.loadMore().catch(() => undefined)} data-testid="notifications-more">
                Show older
              </Button>
            </div>
          )}
        </div>
      </PopoverContent>
    </Popover>
  );
}

function NotificationItem({ notification: n, onFollow }: { notification: Notification; onFollow: () => void }) {
  const Icon = ICONS[n.kind];
  return (
    <Link
      href={n.link}
      onClick={onFollow}
      className={cn(
        'flex gap-3 rounded-xl px-2 py-2.5 text-left outline-none hover:bg-violet-50 focus-visible:ring-2 focus-visible:ring-ring',
        !n.read && 'bg-violet-50/70',
      )}
      data-testid="notification-item"
      data-kind={n.kind}
      data-read={n.read ? 'true' : 'false'}
    >
      <span className={cn('mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-full', n.read ? 'bg-zinc-100 text-zinc-600' : 'bg-violet-100 text-violet-800')}>
        <Icon className="size-4" aria-hidden />
      </span>
      <span className="flex min-w-0 flex-1 flex-col gap-0.5">
        <span className={cn('text-sm text-zinc-900', !n.read && 'font-semibold')}>
          {describeNotification(n)}
          {!n.read && <span className="sr-only"> (unread)</span>}
        </span>
        {n.preview && <span className="line-clamp-2 text-sm break-words text-zinc-600">{n.preview}</span>}
        <span className="text-xs text-zinc-600">{formatAgo(n.updatedAt)}</span>
      </span>
      {!n.read && <span className="mt-2 size-2 shrink-0 rounded-full bg-pink-700" aria-hidden />}
    </Link>
  );
}
