'use client';

import type { PinnedMessage } from '@chatpop/protocol';
import { PinIcon, PinOffIcon } from 'lucide-react';
import { useState } from 'react';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';

/**
 * The message pinned at the top of a conversation, in the sticky section:
 * tapping it shows the message in the list (loading back to it when it is
 * not loaded); Unpin where the member may.
 */
export function PinnedBanner({
  pinned,
  theme,
  onSelect,
  onUnpin,
}: {
  pinned: PinnedMessage;
  theme: ChatTheme;
  onSelect: (messageId: string, seq: number) => void;
  /** Absent where I may not unpin. */
  onUnpin?: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const { message } = pinned;
  return (
    <div className={cn('flex items-center gap-1 rounded-xl py-1 pr-1 pl-3', theme.stickyItem)} data-testid="pinned-message" data-message-id={message.id}>
      <button
        type="button"
        onClick={() => onSelect(message.id, message.seq)}
        className="flex min-h-10 min-w-0 flex-1 items-center gap-2.5 rounded-lg text-left outline-none focus-visible:ring-2 focus-visible:ring-ring"
        aria-label={`Pinned message from ${message.username ?? 'someone'}: ${message.content}. Show it`}
        data-testid="pinned-message-show"
      >
        <PinIcon className="size-4 shrink-0" aria-hidden />
        <span className="flex min-w-0 flex-col">
          <span className="text-xs font-semibold">Pinned · {message.username ?? 'Someone'}</span>
          <span className="truncate text-sm" data-testid="pinned-message-text">
            {message.content}
          </span>
        </span>
      </button>
      {onUnpin && (
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            onUnpin().finally(() => setBusy(false));
          }}
          className="flex size-10 shrink-0 items-center justify-center rounded-lg outline-none hover:bg-black/5 focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-50 dark:hover:bg-white/10"
          aria-label="Unpin"
          data-testid="pinned-message-unpin"
        >
          <PinOffIcon className="size-4" aria-hidden />
        </button>
      )}
    </div>
  );
}
