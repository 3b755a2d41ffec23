'use client';

import { CircleDollarSignIcon, HeartHandshakeIcon, PinIcon } from 'lucide-react';
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from '@/components/ui/dropdown-menu';
import { formatMoney } from '@/lib/money';
import { cn } from '@/lib/utils';

/** The composer's $ button: send a paid pin, or tip the host. */
export function MoneyMenu({
  pinQuoteCents,
  currency,
  onPin,
  onTip,
}: {
  /** Null when paid pins are off. */
  pinQuoteCents: number | null;
  currency: string;
  onPin: () => void;
  /** Null when tips are off. */
  onTip: (() => void) | null;
}) {
  if (pinQuoteCents === null && !onTip) return null;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        className={cn(
          'flex size-9 shrink-0 items-center justify-center self-end rounded-full text-emerald-700 outline-none hover:bg-black/5 focus-visible:ring-2 focus-visible:ring-ring dark:text-emerald-300 dark:hover:bg-white/10',
        )}
        aria-label="Pin or tip"
        data-testid="money-menu"
      >
        <CircleDollarSignIcon className="size-5" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" side="top" data-testid="money-menu-content">
        {pinQuoteCents !== null && (
          <DropdownMenuItem onSelect={onPin} data-testid="money-pin">
            <PinIcon aria-hidden /> Send as a paid pin · {formatMoney(pinQuoteCents, currency)}
          </DropdownMenuItem>
        )}
        {onTip && (
          <DropdownMenuItem onSelect={onTip} data-testid="money-tip">
            <HeartHandshakeIcon aria-hidden /> Tip the host
          </DropdownMenuItem>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
