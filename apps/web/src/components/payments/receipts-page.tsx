'use client';

import { paymentListSchema, paymentResponseSchema, type Payment } from '@chatpop/protocol';
import { ArrowLeftIcon, ChevronRightIcon, ReceiptIcon } from 'lucide-react';
import Link from 'next/link';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { AccountShell, Section } from '@/components/account/account-shell';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { api, errorMessage } from '@/lib/api';
import { formatFull } from '@/lib/format';
import { formatMoney, formatMoneyExact } from '@/lib/money';
import { useSession } from '@/lib/session';
import { PURPOSE_LABEL, PaymentStatusBadge } from './payment-status';

/**
 * A payer's receipts: the signed-in user's in the account pages, or this
 * device's for someone who paid without an account.
 */
export function ReceiptsPage() {
  const { session } = useSession();
  if (session.status === 'signed-in') return <AccountShell title="Your account">{() => <ReceiptList title="Receipts" />}</AccountShell>;
  return (
    <PageShell actions={<HomeLink />}>
      <div className="mx-auto flex w-full max-w-2xl flex-col gap-6 pt-2 sm:pt-6">
        <h1 className="text-2xl font-bold tracking-tight text-zinc-900 sm:text-3xl">Receipts</h1>
        {session.status === 'loading' ? (
          <div className="flex justify-center py-16 text-zinc-500">
            <Spinner label="Loading" />
          </div>
        ) : (
          <ReceiptList title="Paid from this browser" />
        )}
      </div>
    </PageShell>
  );
}

function HomeLink() {
  return (
    <Button asChild variant="ghost" size="sm">
      <Link href="/">
        <ArrowLeftIcon aria-hidden /> Home
      </Link>
    </Button>
  );
}

type ListState = { status: 'loading' } | { status: 'ready'; payments: Payment[] } | { status: 'error'; message: string };

function ReceiptList({ title }: { title: string }) {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const load = useCallback(async () => {
    try {
      const { payments } = await api.get('/api/payments', { schema: paymentListSchema });
      setState({ status: 'ready', payments });
    } catch (error) {
      setState({ status: 'error', message: errorMessage(error) });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Section title={title} description="What you paid for in chats: seats, pins and tips." testId="receipts">
      {state.status === 'loading' ? (
        <div className="flex justify-center py-8 text-zinc-500">
          <Spinner label="Loading your receipts" />
        </div>
      ) : state.status === 'error' ? (
        <Alert title="Couldn't load your receipts" action={<Button variant="outline" size="sm" onClick={() => void load()}>Try again</Button>}>
          {state.message}
        </Alert>
      ) : state.payments.length === 0 ? (
        <p className="text-sm text-zinc-600">No payments yet.</p>
      ) : (
        <ul className="-my-2 divide-y divide-zinc-100">
          {state.payments.map((p) => (
            <li key={p.id}>
              <Link
                href={`/receipts/${encodeURIComponent(p.id)}`}
                className="-mx-2 flex items-center gap-3 rounded-xl px-2 py-3 outline-none hover:bg-zinc-50 focus-visible:ring-2 focus-visible:ring-ring"
                data-testid="receipt-row"
              >
                <ReceiptIcon className="size-5 shrink-0 text-zinc-500" aria-hidden />
                <span className="min-w-0 flex-1">
                  <span className="block truncate text-sm font-medium text-zinc-900">{p.description}</span>
                  <span className="block truncate text-xs text-zinc-600">
                    {!p.description.includes(p.chat.name) && `${p.chat.name} · `}
                    <time dateTime={p.createdAt}>{formatFull(p.createdAt)}</time>
                  </span>
                </span>
                <span className="flex flex-col items-end gap-1">
                  <span className="text-sm font-semibold tabular-nums">{formatMoney(p.amountCents, p.currency)}</span>
                  <PaymentStatusBadge status={p.status} />
                </span>
                <ChevronRightIcon className="size-4 shrink-0 text-zinc-400" aria-hidden />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

type ReceiptState = { status: 'loading' } | { status: 'ready'; payment: Payment } | { status: 'error'; message: string };

/** One receipt: what, where, when, how much, and how it ended. */
export function ReceiptPage({ id }: { id: string }) {
  const [state, setState] = useState<ReceiptState>({ status: 'loading' });
  useEffect(() => {
    api
      .get(`/api/payments/${encodeURIComponent(id)}`, { schema: paymentResponseSchema })
      .then(({ payment }) => setState({ status: 'ready', payment }))
      .catch((error: unknown) => setState({ status: 'error', message: errorMessage(error) }));
  }, [id]);

  return (
    <PageShell
      actions={
        <Button asChild variant="ghost" size="sm">
          <Link href="/receipts" data-testid="receipts-link">
            <ArrowLeftIcon aria-hidden /> Receipts
          </Link>
        </Button>
      }
    >
      <div className="mx-auto w-full max-w-md pt-2 sm:pt-8">
        {state.status === 'loading' ? (
          <div className="flex justify-center py-16 text-zinc-500">
            <Spinner label="Loading the receipt" />
          </div>
        ) : state.status === 'error' ? (
          <Alert title="Couldn't open this receipt">{state.message}</Alert>
        ) : (
          <Receipt payment={state.payment} />
        )}
      </div>
    </PageShell>
  );
}

function Receipt({ payment: p }: { payment: Payment }) {
  const rows: Array<[string, ReactNode]> = [
    ['Chat', <Link key="chat" href={`/chat/${p.chat.code}`} className="text-violet-700 underline-offset-4 hover:underline">{p.chat.name}</Link>],
    ['Date', formatFull(p.createdAt)],
    ...(p.completedAt ? ([['Paid', formatFull(p.completedAt)]] as Array<[string, ReactNode]>) : []),
    ...(p.refundedAt ? ([['Refunded', formatFull(p.refundedAt)]] as Array<[string, ReactNode]>) : []),
    ['Paid with', p.provider === 'test' ? 'Test provider (no real money)' : 'Card (Stripe)'],
    ['Receipt number', <span key="id" className="font-mono text-xs break-all">{p.id}</span>],
  ];
  return (
    <article className="flex flex-col gap-4 rounded-3xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-6" data-testid="receipt" aria-labelledby="receipt-title">
      <div className="flex items-start justify-between gap-3">
        <div>
          <p className="text-xs font-semibold tracking-wide text-violet-700 uppercase">{PURPOSE_LABEL[p.purpose]}</p>
          <h1 id="receipt-title" className="text-lg font-bold text-zinc-900">
            {p.description}
          </h1>
        </div>
        <PaymentStatusBadge status={p.status} />
      </div>
      {p.note && <blockquote className="rounded-xl border-l-4 border-violet-400 bg-violet-50 px-3 py-2 text-sm break-words text-zinc-800">{p.note}</blockquote>}
      <div className="flex items-baseline justify-between border-y border-zinc-100 py-3">
        <span className="text-sm text-zinc-600">Amount</span>
        <span className="text-2xl font-extrabold tabular-nums" data-testid="receipt-amount">
          {formatMoneyExact(p.amountCents, p.currency)}
        </span>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-zinc-600">{label}</dt>
            <dd className="text-right text-zinc-900">{value}</dd>
          </div>
        ))}
      </dl>
      {p.failureReason && <p className="text-sm text-zinc-600">{p.failureReason}</p>}
    </article>
  );
}
