'use client';

import { paymentResponseSchema, type Payment } from '@chatpop/protocol';
import { CheckCircle2Icon, XCircleIcon, XIcon } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { api } from '@/lib/api';
import { formatMoney } from '@/lib/money';
import { cn } from '@/lib/utils';

const SUCCESS: Record<Payment['purpose'], string> = {
  seat: 'You have a Back Room seat.',
  pin: 'Your message is pinned.',
  tip: 'Thanks for the tip!',
};

/**
 * Back from checkout (`/chat/CODE?payment=ID`): says how the payment ended,
 * takes a new seat holder into the Back Room, and drops the id from the
 * address so a reload does not say it again.
 */
export function PaymentNotice({ paymentId, onSeat, onSettled }: { paymentId: string; onSeat: () => void; onSettled: () => void }) {
  const [payment, setPayment] = useState<Payment | null>(null);
  const [dismissed, setDismissed] = useState(false);
  const handlers = useRef({ onSeat, onSettled });
  useEffect(() => {
    handlers.current = { onSeat, onSettled };
  }, [onSeat, onSettled]);

  useEffect(() => {
    const url = new URL(window.location.href);
    url.searchParams.delete('payment');
    window.history.replaceState(window.history.state, '', url);
    let cancelled = false;
    api
      .get(`/api/payments/${encodeURIComponent(paymentId)}`, { schema: paymentResponseSchema })
      .then(({ payment: p }) => {
        if (cancelled) return;
        setPayment(p);
        handlers.current.onSettled();
        if (p.status === 'succeeded' && p.purpose === 'seat') handlers.current.onSeat();
      })
      .catch(() => undefined); // The chat shows the effect anyway; the notice is a courtesy.
    return () => {
      cancelled = true;
    };
  }, [paymentId]);

  useEffect(() => {
    if (!payment) return;
    const timer = setTimeout(() => setDismissed(true), 8_000);
    return () => clearTimeout(timer);
  }, [payment]);

  if (!payment || dismissed) return null;
  const ok = payment.status === 'succeeded';
  const text = ok
    ? `${formatMoney(payment.amountCents, payment.currency)} paid. ${SUCCESS[payment.purpose]}`
    : payment.status === 'pending'
      ? 'Your payment is still being processed.'
      : payment.status === 'refunded'
        ? (payment.failureReason ?? 'Your payment was refunded in full.')
        : 'The payment did not go through. Nothing was charged.';
  return (
    <div
      role="status"
      className={cn('relative z-30 flex items-center gap-2 px-4 py-2 text-sm font-medium', ok ? 'bg-green-700 text-white' : 'bg-zinc-800 text-white')}
      data-testid="payment-notice"
      data-status={payment.status}
    >
      {ok ? <CheckCircle2Icon className="size-4 shrink-0" aria-hidden /> : <XCircleIcon className="size-4 shrink-0" aria-hidden />}
      <span className="min-w-0 flex-1">
        {text}{' '}
        {ok && (
          <Link href={`/receipts/${payment.id}`} className="whitespace-nowrap underline underline-offset-2" data-testid="payment-notice-receipt">
            Receipt
          </Link>
        )}
      </span>
      <button type="button" onClick={() => setDismissed(true)} className="rounded-full p-1 outline-none hover:bg-white/15 focus-visible:ring-2 focus-visible:ring-white" aria-label="Dismiss">
        <XIcon className="size-4" aria-hidden />
      </button>
    </div>
  );
}
