'use client';

import type { Message } from '@chatpop/protocol';
import { ChevronDownIcon, MegaphoneIcon } from 'lucide-react';
import { forwardRef, useState, type ReactNode } from 'react';
import { formatTime } from '@/lib/format';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';

/** Host messages shown before the section is expanded. */
const COLLAPSED_COUNT = 3;

/**
 * The sticky section over the messages (z-20): the newest host messages,
 * always on top (SPEC §2.4), the newest few until expanded. Paid pins
 * (SPEC §2.6) go under them (`pinned`).
 */
export const StickyHost = forwardRef<
  HTMLDivElement,
  { messages: Message[]; theme: ChatTheme; onSelect: (messageId: string) => void; pinned?: ReactNode }
>(function StickyHost({ messages, theme, onSelect, pinned }, ref) {
  const [expanded, setExpanded] = useState(false);
  if (messages.length === 0 && !pinned) return null;
  // Newest first: the latest announcement is the one to read.
  const newestFirst = [...messages].reverse();
  const shown = expanded ? newestFirst : newestFirst.slice(0, COLLAPSED_COUNT);
  const more = newestFirst.length - COLLAPSED_COUNT;

  return (
    <div ref={ref} className={cn('absolute inset-x-0 top-0 z-20 px-3 py-2', theme.sticky)} data-testid="sticky-host">
      <div className="mx-auto flex max-w-3xl flex-col gap-1.5">
        {messages.length > 0 && (
          <>
            <div className="flex items-center justify-between gap-2 text-xs font-semibold">
              <span className="inline-flex items-center gap-1.5">
                <MegaphoneIcon className="size-3.5" aria-hidden /> From the host
              </span>
              <button
                type="button"
                onClick={() => setExpanded((v) => !v)}
                aria-expanded={expanded}
                className="inline-flex items-center gap-1 rounded-lg px-2 py-1 outline-none hover:bg-black/5 focus-visible:ring-2 focus-visible:ring-ring dark:hover:bg-white/10"
                data-testid="sticky-host-toggle"
              >
                {expanded ? 'Collapse' : more > 0 ? `${more} more` : 'Expand'}
                <ChevronDownIcon className={cn('size-3.5 transition-transform', expanded && 'rotate-180')} aria-hidden />
              </button>
            </div>
            <ul className={cn('flex flex-col gap-1.5', expanded && 'max-h-[40dvh] overflow-y-auto')}>
              {shown.map((m) => (
                <li key={m.id}>
                  <button
                    type="button"
                    onClick={() => onSelect(m.id)}
                    className={cn('flex w-full items-baseline gap-2 rounded-xl px-3 py-1.5 text-left text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring', theme.stickyItem)}
                    data-testid="sticky-host-message"
                  >
                    <span className={cn('min-w-0 flex-1 break-words whitespace-pre-wrap', expanded ? '' : 'line-clamp-1')}>{m.content}</span>
                    <time className="shrink-0 text-[11px] opacity-75" dateTime={m.createdAt}>
                      {formatTime(m.createdAt)}
                    </time>
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        {pinned}
      </div>
    </div>
  );
});
