'use client';

import type { PinView } from '@chatpop/protocol';
import { PinIcon, XIcon } from 'lucide-react';
import { useState } from 'react';
import { Popover, PopoverContent, PopoverTrigger } from '@/components/ui/popover';
import { formatCountdown, formatMoney } from '@/lib/money';
import type { ChatTheme } from '@/lib/themes';
import { useNow } from '@/lib/use-now';
import { cn } from '@/lib/utils';

/**
 * Paid pins in the sticky section, under the host's messages (SPEC §2.6):
 * the top pin (highest amount) with its countdown, the others behind "+N
 * pinned". A pin whose time is up leaves at once here; the server's expiry
 * broadcast confirms it.
 */
export function PinnedStrip({
  pins,
  currency,
  theme,
  canUnpin,
  onSelect,
  onUnpin,
}: {
  /** Active pins, highest amount first. */
  pins: PinView[];
  currency: string;
  theme: ChatTheme;
  canUnpin: boolean;
  onSelect: (messageId: string) => void;
  onUnpin: (pin: PinView) => Promise<void>;
}) {
  const now = useNow(pins.length > 0);
  const [open, setOpen] = useState(false);
  const live = pins.filter((p) => Date.parse(p.pinnedUntil) > now);
  const [top, ...rest] = live;
  if (!top) return null;

  return (
    <div className="flex items-stretch gap-1.5" data-testid="pinned-strip">
      <PinRow pin={top} currency={currency} now={now} theme={theme} onSelect={onSelect} testId="pin-top" />
      {rest.length > 0 && (
        <Popover open={open} onOpenChange={setOpen}>
          <PopoverTrigger
            className={cn('shrink-0 rounded-xl px-2.5 text-xs font-semibold whitespace-nowrap outline-none focus-visible:ring-2 focus-visible:ring-ring', theme.pinItem)}
            aria-label={`${rest.length} more pinned ${rest.length === 1 ? 'message' : 'messages'}`}
            data-testid="pins-more"
          >
            +{rest.length} pinned
          </PopoverTrigger>
          <PopoverContent align="end" data-testid="pins-popover" aria-label="Pinned messages">
            <p className="mb-2 px-1 text-sm font-semibold">Pinned messages</p>
            <ol className="flex max-h-[50dvh] flex-col gap-1.5 overflow-y-auto">
              {live.map((pin, i) => (
                <li key={pin.id} className="flex items-center gap-1">
                  <PinRow
                    pin={pin}
                    currency={currency}
                    now={now}
                    theme={theme}
                    rank={i + 1}
                    onSelect={(id) => {
                      setOpen(false);
                      onSelect(id);
                    }}
                    testId="pin-listed"
                  />
                  {canUnpin && <UnpinButton pin={pin} onUnpin={onUnpin} />}
                </li>
              ))}
            </ol>
          </PopoverContent>
        </Popover>
      )}
      {canUnpin && rest.length === 0 && <UnpinButton pin={top} onUnpin={onUnpin} />}
    </div>
  );
}

function PinRow({
  pin,
  currency,
  now,
  theme,
  rank,
  onSelect,
  testId,
}: {
  pin: PinView;
  currency: string;
  now: number;
  theme: ChatTheme;
  rank?: number;
  onSelect: (messageId: string) => void;
  testId: string;
}) {
  const left = formatCountdown(Date.parse(pin.pinnedUntil) - now);
  return (
    <button
      type="button"
      onClick={() => onSelect(pin.message.id)}
      className={cn('flex min-w-0 flex-1 items-center gap-2 rounded-xl px-3 py-1.5 text-left text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring', theme.pinItem)}
      data-testid={testId}
      data-pin-id={pin.id}
      data-amount={pin.amountCents}
    >
      <PinIcon className="size-3.5 shrink-0 text-emerald-700 dark:text-emerald-300" aria-label={rank ? `Pin ${rank}` : 'Paid pin'} role="img" />
      <span className="flex min-w-0 flex-1 flex-col leading-tight">
        <span className="truncate text-[0.6875rem] font-semibold opacity-80">{pin.message.username ?? 'Someone'}</span>
        <span className="truncate" data-testid="pin-content">
          {pin.message.content}
        </span>
      </span>
      <span className="shrink-0 rounded-full bg-emerald-700 px-1.5 py-0.5 text-[0.6875rem] font-bold text-white tabular-nums" data-testid="pin-price">
        {formatMoney(pin.amountCents, currency)}
      </span>
      <time className="w-12 shrink-0 text-right text-[0.6875rem] tabular-nums opacity-80" dateTime={pin.pinnedUntil} aria-label={`${left} left`} data-testid="pin-countdown">
        {left}
      </time>
    </button>
  );
}

function UnpinButton({ pin, onUnpin }: { pin: PinView; onUnpin: (pin: PinView) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        onUnpin(pin).finally(() => setBusy(false));
      }}
      className="flex size-8 shrink-0 items-center justify-center self-center rounded-full outline-none hover:bg-black/10 focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-50 dark:hover:bg-white/10"
      aria-label={`Unpin the message from ${pin.message.username ?? 'someone'}`}
      data-testid="pin-unpin"
    >
      <XIcon className="size-4" aria-hidden />
    </button>
  );
}
