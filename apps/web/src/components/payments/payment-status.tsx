import type { Payment } from '@chatpop/protocol';
import { cn } from '@/lib/utils';

export const PURPOSE_LABEL: Record<Payment['purpose'], string> = { seat: 'Back Room seat', pin: 'Paid pin', tip: 'Tip' };

const STATUS: Record<Payment['status'], { label: string; className: string }> = {
  pending: { label: 'Pending', className: 'bg-zinc-100 text-zinc-800 ring-zinc-300' },
  succeeded: { label: 'Paid', className: 'bg-green-50 text-green-800 ring-green-300' },
  failed: { label: 'Declined', className: 'bg-red-50 text-red-800 ring-red-200' },
  expired: { label: 'Expired', className: 'bg-zinc-100 text-zinc-700 ring-zinc-300' },
  refunded: { label: 'Refunded', className: 'bg-amber-50 text-amber-900 ring-amber-300' },
};

export function PaymentStatusBadge({ status, className }: { status: Payment['status']; className?: string }) {
  const s = STATUS[status];
  return (
    <span className={cn('inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold ring-1', s.className, className)} data-testid="payment-status" data-status={status}>
      {s.label}
    </span>
  );
}
