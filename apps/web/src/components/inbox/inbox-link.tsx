'use client';

import { InboxIcon } from 'lucide-react';
import Link from 'next/link';
import { unreadBadge } from '@/lib/inbox';
import { useInboxUnread } from '@/lib/use-inbox';
import { cn } from '@/lib/utils';

/** The header's way into the Inbox, with the total unread count kept live. */
export function InboxLink({ className }: { className?: string }) {
  const unread = useInboxUnread(true);
  const label = unread ? `Inbox, ${unread} unread ${unread === 1 ? 'message' : 'messages'}` : 'Inbox';
  return (
    <Link
      href="/inbox"
      aria-label={label}
      className={cn(
        'relative inline-flex h-10 items-center gap-1.5 rounded-full px-3 text-sm font-medium text-zinc-700 outline-none hover:bg-violet-50 hover:text-zinc-900 focus-visible:ring-2 focus-visible:ring-ring',
        className,
      )}
      data-testid="inbox-link"
    >
      <InboxIcon className="size-5" aria-hidden />
      <span className="hidden sm:inline">Inbox</span>
      {unread ? (
        <span
          className="absolute -top-0.5 right-0 flex h-5 min-w-5 items-center justify-center rounded-full bg-pink-700 px-1.5 text-[0.6875rem] font-bold text-white tabular-nums sm:static"
          aria-hidden
          data-testid="inbox-unread-badge"
        >
          {unreadBadge(unread)}
        </span>
      ) : null}
    </Link>
  );
}
