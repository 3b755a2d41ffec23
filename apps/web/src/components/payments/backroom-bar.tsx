'use client';

import { ArrowLeftIcon, DoorOpenIcon, TicketIcon, UsersIcon } from 'lucide-react';
import { Spinner } from '@/components/ui/misc';
import { formatMoney } from '@/lib/money';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';

/**
 * The Back Room line under the chat header (SPEC §2.5): "Back Room · 3/10
 * seats · $5" for everyone, live, with a buy button (disabled when full), or
 * "Enter" for members and the host. Inside the Back Room it leads back out.
 */
export function BackRoomBar({
  seatsTaken,
  seatLimit,
  seatPriceCents,
  currency,
  canEnter,
  inside,
  busy,
  onBuy,
  onEnter,
  onLeave,
  onMembers,
  theme,
}: {
  seatsTaken: number;
  seatLimit: number;
  seatPriceCents: number;
  currency: string;
  /** A member or the host. */
  canEnter: boolean;
  inside: boolean;
  busy: boolean;
  onBuy: () => void;
  onEnter: () => void;
  onLeave: () => void;
  /** The host's member list; null for everyone else. */
  onMembers: (() => void) | null;
  theme: ChatTheme;
}) {
  const full = seatsTaken >= seatLimit;
  const pill = cn(
    'inline-flex h-8 shrink-0 items-center gap-1.5 rounded-full px-3 text-xs font-semibold outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-1 disabled:cursor-not-allowed disabled:opacity-60 [&_svg]:size-3.5',
    theme.sendButton,
  );

  if (inside) {
    return (
      <div className={cn('relative z-30 shrink-0 px-3 py-1.5', theme.backroomBar)} data-testid="backroom-bar" data-inside="true">
        <div className="mx-auto flex max-w-3xl items-center gap-2">
          <DoorOpenIcon className="size-4 shrink-0" aria-hidden />
          <p className="min-w-0 flex-1 truncate text-sm font-semibold" data-testid="backroom-inside">
            Back Room <span className="font-normal opacity-80">· members only</span>
          </p>
          {onMembers && (
            <button type="button" className={pill} onClick={onMembers} aria-label="Back Room members" data-testid="backroom-members-button">
              <UsersIcon aria-hidden />
            </button>
          )}
          <button type="button" className={pill} onClick={onLeave} data-testid="backroom-leave">
            <ArrowLeftIcon aria-hidden /> Main chat
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className={cn('relative z-30 shrink-0 px-3 py-1.5', theme.backroomBar)} data-testid="backroom-bar" data-inside="false">
      <div className="mx-auto flex max-w-3xl items-center gap-2">
        <TicketIcon className="size-4 shrink-0" aria-hidden />
        <p className="min-w-0 flex-1 truncate text-sm" data-testid="backroom-summary">
          <span className="font-semibold">Back Room</span>
          <span aria-hidden> · </span>
          <span data-testid="backroom-seats">
            {seatsTaken}/{seatLimit} seats
          </span>
          <span aria-hidden> · </span>
          <span data-testid="backroom-price">{formatMoney(seatPriceCents, currency)}</span>
        </p>
        {canEnter ? (
          <button type="button" className={pill} onClick={onEnter} data-testid="backroom-enter">
            <DoorOpenIcon aria-hidden /> Enter
          </button>
        ) : (
          <button
            type="button"
            className={pill}
            onClick={onBuy}
            disabled={full || busy}
            aria-label={full ? 'Back Room full' : `Buy a Back Room seat for ${formatMoney(seatPriceCents, currency)}`}
            data-testid="backroom-buy"
          >
            {busy ? <Spinner label="Starting the payment" className="[&_svg]:size-3.5" /> : full ? 'Full' : 'Buy seat'}
          </button>
        )}
      </div>
    </div>
  );
}
