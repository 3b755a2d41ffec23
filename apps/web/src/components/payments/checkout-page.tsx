'use client';

import { REFUND_RULES, paymentResponseSchema, type Payment } from '@chatpop/protocol';
import { ArrowLeftIcon, CheckCircle2Icon, FlaskConicalIcon, InfoIcon, XCircleIcon } from 'lucide-react';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { api, errorMessage } from '@/lib/api';
import { formatCountdown, formatMoney } from '@/lib/money';
import { useNow } from '@/lib/use-now';
import { PURPOSE_LABEL } from './payment-status';

// Stripe's script loads only on a Stripe checkout, never for the test provider.
const StripeCheckout = dynamic(() => import('./stripe-checkout').then((m) => m.StripeCheckout), {
  ssr: false,
  loading: () => <Spinner label="Loading the payment form" />,
});


/** While Stripe settles a payment (its webhook), the page looks again this often. */
const POLL_MS = 2_000;

type State = { status: 'loading' } | { status: 'ready'; payment: Payment } | { status: 'error'; message: string };

/** Where the payer goes back to, with the payment named so the chat can show its effect. */
export const chatReturnPath = (payment: Payment) => `/chat/${payment.chat.code}?payment=${encodeURIComponent(payment.id)}`;

/**
 * Checkout (SPEC §2.8): what is bought, the amount, the refund rule for
 * moderated paid messages, then either the test provider's Confirm and
 * Decline ("Test mode — no real money") or Stripe's Payment Element.
 */
export function CheckoutPage({ id }: { id: string }) {
  const router = useRouter();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [busy, setBusy] = useState<'succeed' | 'decline' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const { payment } = await api.get(`/api/payments/${encodeURIComponent(id)}`, { schema: paymentResponseSchema });
      setState({ status: 'ready', payment });
    } catch (err) {
      setState({ status: 'error', message: errorMessage(err) });
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const payment = state.status === 'ready' ? state.payment : null;
  const pending = payment?.status === 'pending';
  const expiresAt = payment ? Date.parse(payment.expiresAt) : 0;
  const now = useNow(pending === true);
  const expired = pending && expiresAt <= now;

  // Back from Stripe (or a webhook still on its way): look again until it settles.
  useEffect(() => {
    if (!payment || payment.provider !== 'stripe' || !pending) return;
    if (!new URLSearchParams(window.location.search).has('payment_intent')) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [payment, pending, load]);

  // Stripe's return settled: on to the chat to see the effect, as after the test checkout.
  useEffect(() => {
    if (payment?.provider !== 'stripe' || payment.status !== 'succeeded') return;
    if (new URLSearchParams(window.location.search).has('payment_intent')) router.replace(chatReturnPath(payment));
  }, [payment, router]);

  async function confirm(outcome: 'succeed' | 'decline') {
    if (!payment) return;
    setBusy(outcome);
    setError(null);
    try {
      const res = await api.post(`/api/payments/${encodeURIComponent(payment.id)}/confirm`, { outcome }, { schema: paymentResponseSchema });
      if (res.payment.status === 'succeeded') {
        router.push(chatReturnPath(res.payment));
        return;
      }
      setState({ status: 'ready', payment: res.payment });
    } catch (err) {
      setError(errorMessage(err));
      void load();
    }
    setBusy(null);
  }

  return (
    <PageShell>
      <div className="mx-auto flex w-full max-w-md flex-col gap-4 pt-2 sm:pt-8" data-testid="checkout">
        {state.status === 'loading' ? (
          <div className="flex justify-center py-16 text-zinc-500">
            <Spinner label="Loading the payment" />
          </div>
        ) : state.status === 'error' ? (
          <Alert title="Couldn't open this payment" action={<Button variant="outline" size="sm" onClick={() => void load()}>Try again</Button>}>
            <span data-testid="checkout-error">{state.message}</span>
          </Alert>
        ) : payment ? (
          <>
            {payment.provider === 'test' && (
              <p
                role="note"
                className="flex items-center justify-center gap-2 rounded-2xl border border-amber-300 bg-amber-100 px-4 py-2.5 text-sm font-semibold text-amber-950"
                data-testid="test-mode-banner"
              >
                <FlaskConicalIcon className="size-4" aria-hidden /> Test mode — no real money
              </p>
            )}
            <section aria-labelledby="checkout-title" className="flex flex-col gap-4 rounded-3xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-6">
              <div className="flex flex-col gap-1">
                <p className="text-xs font-semibold tracking-wide text-violet-700 uppercase">{PURPOSE_LABEL[payment.purpose]}</p>
                <h1 id="checkout-title" className="text-xl font-bold text-zinc-900" data-testid="checkout-description">
                  {payment.description}
                </h1>
                {!payment.description.includes(payment.chat.name) && (
                  <p className="text-sm text-zinc-600">
                    In <span className="font-medium text-zinc-900">{payment.chat.name}</span>
                  </p>
                )}
              </div>
              {payment.note && (
                <blockquote className="rounded-xl border-l-4 border-violet-400 bg-violet-50 px-3 py-2 text-sm break-words whitespace-pre-wrap text-zinc-800" data-testid="checkout-note">
                  {payment.note}
                </blockquote>
              )}
              <div className="flex items-baseline justify-between border-t border-zinc-100 pt-4">
                <span className="text-sm text-zinc-600">Total</span>
                <span className="text-3xl font-extrabold text-zinc-900 tabular-nums" data-testid="checkout-amount">
                  {formatMoney(payment.amountCents, payment.currency)}
                </span>
              </div>
              <p className="flex gap-2 rounded-xl bg-zinc-50 px-3 py-2.5 text-xs leading-relaxed text-zinc-700" data-testid="checkout-refund-rule">
                <InfoIcon className="mt-0.5 size-4 shrink-0 text-zinc-500" aria-hidden />
                <span>{REFUND_RULES[payment.purpose]}</span>
              </p>

              {pending && !expired ? (
                <>
                  <p className="text-center text-xs text-zinc-600" data-testid="checkout-expires">
                    {payment.purpose === 'seat' ? 'Your seat is held' : 'This checkout stays open'} for {formatCountdown(expiresAt - now)}.
                  </p>
                  {payment.checkout?.provider === 'stripe' ? (
                    <StripeCheckout
                      clientSecret={payment.checkout.clientSecret}
                      publishableKey={payment.checkout.publishableKey}
                      amountLabel={formatMoney(payment.amountCents, payment.currency)}
                      returnPath={`/pay/${encodeURIComponent(payment.id)}`}
                    />
                  ) : payment.checkout?.provider === 'test' ? (
                    <div className="flex flex-col gap-2">
                      <Button size="lg" onClick={() => void confirm('succeed')} disabled={busy !== null} data-testid="checkout-confirm">
                        {busy === 'succeed' ? <Spinner label="Paying" /> : `Confirm and pay ${formatMoney(payment.amountCents, payment.currency)}`}
                      </Button>
                      <Button size="lg" variant="outline" onClick={() => void confirm('decline')} disabled={busy !== null} data-testid="checkout-decline">
                        {busy === 'decline' ? <Spinner label="Declining" /> : 'Decline'}
                      </Button>
                      <p className="text-center text-xs text-zinc-600">The test provider moves no money: Confirm acts as a paid card, Decline as a refused one.</p>
                    </div>
                  ) : (
                    <Alert title="Only the payer can pay" tone="info">
                      This payment waits for its payer.
                    </Alert>
                  )}
                </>
              ) : (
                <Outcome payment={payment} expired={expired} />
              )}
              <FormError data-testid="checkout-action-error">{error}</FormError>
            </section>
            <Button asChild variant="ghost" className="self-center">
              <Link href={payment.status === 'succeeded' ? chatReturnPath(payment) : `/chat/${payment.chat.code}`} data-testid="checkout-back">
                <ArrowLeftIcon aria-hidden /> Back to {payment.chat.name}
              </Link>
            </Button>
          </>
        ) : null}
      </div>
    </PageShell>
  );
}

function Outcome({ payment, expired }: { payment: Payment; expired: boolean }) {
  const status = expired ? 'expired' : payment.status;
  const ok = status === 'succeeded';
  const text =
    status === 'succeeded'
      ? 'Paid. Thank you!'
      : status === 'failed'
        ? 'Declined. Nothing was charged.'
        : status === 'expired'
          ? 'This checkout expired. Nothing was charged.'
          : status === 'refunded'
            ? payment.completedAt
              ? 'Refunded.'
              : 'Refunded in full.'
            : 'Waiting for the payment to settle…';
  return (
    <div role="status" className="flex flex-col items-center gap-2 py-2 text-center" data-testid="checkout-outcome" data-status={status}>
      {ok ? <CheckCircle2Icon className="size-10 text-green-700" aria-hidden /> : status === 'pending' ? <Spinner label="Waiting" /> : <XCircleIcon className="size-10 text-zinc-500" aria-hidden />}
      <p className="font-semibold text-zinc-900">{text}</p>
      {payment.failureReason && !ok && (
        <p className="text-sm text-zinc-600" data-testid="checkout-outcome-reason">
          {payment.failureReason}
        </p>
      )}
      {(status === 'succeeded' || status === 'refunded') && (
        <Link href={`/receipts/${payment.id}`} className="text-sm font-medium text-violet-700 underline underline-offset-4" data-testid="checkout-receipt-link">
          View the receipt
        </Link>
      )}
    </div>
  );
}
