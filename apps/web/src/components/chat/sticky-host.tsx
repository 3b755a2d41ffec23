'use client';

import type { Message } from '@chatpop/protocol';
import { ChevronDownIcon, MegaphoneIcon } from 'lucide-react';
import { forwardRef, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { formatTime } from '@/lib/format';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';
import { RichText } from './rich-text';

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
  const listRef = useRef<HTMLUListElement>(null);
  // Whether a collapsed line cuts its message short: "Expand" is offered only then (or when more are hidden).
  const [clipped, setClipped] = useState(false);
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list || expanded) return;
    const measure = () => setClipped([...list.querySelectorAll<HTMLElement>('[data-clamp]')].some((el) => el.scrollHeight > el.clientHeight + 1));
    measure();
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(list);
    return () => observer?.disconnect();
  }, [messages, expanded]);
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
              {(expanded || more > 0 || clipped) && (
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
              )}
            </div>
            <ul ref={listRef} className={cn('flex flex-col gap-1.5', expanded && 'max-h-[40dvh] overflow-y-auto')}>
              {shown.map((m) => (
                <li
                  key={m.id}
                  className={cn('flex w-full items-baseline gap-2 rounded-xl px-3 py-1.5 text-left text-sm', theme.stickyItem)}
                  data-testid="sticky-host-message"
                >
                  {/* A tap on the text shows the message in the chat; a link in it opens the link instead. */}
                  <span
                    className={cn('min-w-0 flex-1 cursor-pointer break-words whitespace-pre-wrap', expanded ? '' : 'line-clamp-1')}
                    data-clamp={expanded ? undefined : 'true'}
                    onClick={(e) => {
                      if (!(e.target as HTMLElement).closest('a')) onSelect(m.id);
                    }}
                  >
                    <RichText text={m.content} readerName={null} />
                  </span>
                  <button
                    type="button"
                    onClick={() => onSelect(m.id)}
                    className="shrink-0 rounded text-[0.6875rem] opacity-75 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                    aria-label={`Show the host's message of ${formatTime(m.createdAt)} in the chat`}
                  >
                    <time dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>
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
