'use client';

import { earningsSchema, paymentResponseSchema, type Earnings, type EarningsTotals, type Payment } from '@chatpop/protocol';
import { Undo2Icon } from 'lucide-react';
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { AccountShell, Section } from '@/components/account/account-shell';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { api, errorMessage } from '@/lib/api';
import { formatFull } from '@/lib/format';
import { formatMoneyExact } from '@/lib/money';
import { PURPOSE_LABEL, PaymentStatusBadge } from './payment-status';

export function EarningsPage() {
  return (
    <AccountShell title="Your account" wide>
      {() => <EarningsView />}
    </AccountShell>
  );
}

type State = { status: 'loading' } | { status: 'ready'; earnings: Earnings } | { status: 'error'; message: string };

/**
 * What the host earned (SPEC §2.8): per chat and in total, the gross, the
 * platform fee, the net and the refunds; every payment, each refundable
 * behind a confirmation.
 */
function EarningsView() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const [refunding, setRefunding] = useState<Payment | null>(null);

  const load = useCallback(async () => {
    try {
      setState({ status: 'ready', earnings: await api.get('/api/earnings', { schema: earningsSchema }) });
    } catch (error) {
      setState({ status: 'error', message: errorMessage(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (state.status === 'loading') {
    return (
      <div className="flex justify-center py-16 text-zinc-500">
        <Spinner label="Loading your earnings" />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <Alert title="Couldn't load your earnings" action={<Button variant="outline" size="sm" onClick={() => void load()}>Try again</Button>}>
        {state.message}
      </Alert>
    );
  }

  const { earnings } = state;
  const money = (cents: number) => formatMoneyExact(cents, earnings.currency);
  return (
    <>
      <Section title="Earnings" description="Paid seats, pins and tips in the chats you host. The platform fee comes out of each payment." testId="earnings-total">
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Gross" value={money(earnings.total.grossCents)} testId="earnings-gross" />
          <Stat label="Platform fee" value={money(earnings.total.feeCents)} testId="earnings-fee" />
          <Stat label="Net to you" value={money(earnings.total.netCents)} testId="earnings-net" strong />
          <Stat label="Refunded" value={money(earnings.total.refundedCents)} testId="earnings-refunded" />
        </dl>
        <p className="mt-3 text-xs text-zinc-600">
          {earnings.total.count} {earnings.total.count === 1 ? 'payment' : 'payments'} · net is the gross less the platform fee and refunds (a refunded payment carries no fee).
        </p>
      </Section>

      <Section title="By chat" testId="earnings-chats">
        {earnings.chats.length === 0 ? (
          <p className="text-sm text-zinc-600">No payments yet. Turn on the Back Room, paid pins or tips in a chat&apos;s settings.</p>
        ) : (
          <>
          {/* Phones: one card per chat, nothing clipped; wider screens: the table. */}
          <ul className="flex flex-col gap-3 sm:hidden" data-testid="earnings-chat-cards">
            {earnings.chats.map((c) => (
              <ChatCard key={c.code} chat={c} money={money} />
            ))}
          </ul>
          <div className="hidden sm:block">
            <table className="w-full text-sm">
              <caption className="sr-only">Earnings by chat</caption>
              <thead>
                <tr className="border-b border-zinc-200 text-left text-xs text-zinc-600">
                  <th scope="col" className="py-2 pr-3 font-medium">Chat</th>
                  <Th>Payments</Th>
                  <Th>Gross</Th>
                  <Th>Fee</Th>
                  <Th>Net</Th>
                  <Th last>Refunded</Th>
                </tr>
              </thead>
              <tbody>
                {earnings.chats.map((c) => (
                  <ChatRow key={c.code} chat={c} money={money} />
                ))}
              </tbody>
            </table>
          </div>
          </>
        )}
      </Section>

      <Section title="Payments" description="Newest first." testId="earnings-payments">
        {earnings.payments.length === 0 ? (
          <p className="text-sm text-zinc-600">No payments yet.</p>
        ) : (
          <ul className="-my-2 divide-y divide-zinc-100">
            {earnings.payments.map((p) => (
              <li key={p.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-3" data-testid="earnings-payment" data-payment-id={p.id} data-purpose={p.purpose}>
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900">
                    {PURPOSE_LABEL[p.purpose]}
                    <PaymentStatusBadge status={p.status} />
                  </p>
                  <p className="truncate text-xs text-zinc-600">
                    {p.payer?.username ?? 'Someone'} · {p.chat.name} · <time dateTime={p.createdAt}>{formatFull(p.createdAt)}</time>
                  </p>
                  {p.note && <p className="mt-0.5 line-clamp-2 text-xs break-words text-zinc-700">“{p.note}”</p>}
                </div>
                <div className="text-right text-sm tabular-nums">
                  <p className={`font-semibold text-zinc-900 ${p.status === 'refunded' ? 'line-through decoration-zinc-500' : ''}`} data-testid="earnings-payment-amount">
                    {money(p.amountCents)}
                  </p>
                  <p className="text-xs text-zinc-600">
                    {p.status === 'refunded' ? (
                      'refunded in full'
                    ) : (
                      <>
                        fee {money(p.feeCents)} · net <span data-testid="earnings-payment-net">{money(p.netCents)}</span>
                      </>
                    )}
                  </p>
                </div>
                {p.status === 'succeeded' && (
                  <Button variant="outline" size="sm" onClick={() => setRefunding(p)} aria-label={`Refund ${money(p.amountCents)} to ${p.payer?.username ?? 'the payer'}`} data-testid="refund-button">
                    <Undo2Icon aria-hidden /> Refund
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <RefundDialog payment={refunding} money={money} onClose={() => setRefunding(null)} onRefunded={() => void load()} />
    </>
  );
}

function Th({ children, last = false }: { children: string; last?: boolean }) {
  return (
    <th scope="col" className={`py-2 text-right font-medium ${last ? 'pl-3' : 'px-3'}`}>
      {children}
    </th>
  );
}

function ChatRow({ chat, money }: { chat: EarningsTotals & { code: string; name: string }; money: (cents: number) => string }) {
  return (
    <tr className="border-b border-zinc-100 last:border-0" data-testid="earnings-chat" data-code={chat.code}>
      <th scope="row" className="max-w-48 truncate py-2.5 pr-3 text-left font-medium">
        <Link href={`/chat/${chat.code}`} className="text-violet-700 underline-offset-4 hover:underline">
          {chat.name}
        </Link>
      </th>
      <td className="px-3 py-2.5 text-right tabular-nums">{chat.count}</td>
      <td className="px-3 py-2.5 text-right tabular-nums">{money(chat.grossCents)}</td>
      <td className="px-3 py-2.5 text-right tabular-nums">{money(chat.feeCents)}</td>
      <td className="px-3 py-2.5 text-right font-semibold tabular-nums">{money(chat.netCents)}</td>
      <td className="py-2.5 pl-3 text-right tabular-nums">{money(chat.refundedCents)}</td>
    </tr>
  );
}

function ChatCard({ chat, money }: { chat: EarningsTotals & { code: string; name: string }; money: (cents: number) => string }) {
  const rows: [string, string, boolean?][] = [
    ['Payments', String(chat.count)],
    ['Gross', money(chat.grossCents)],
    ['Fee', money(chat.feeCents)],
    ['Net', money(chat.netCents), true],
    ['Refunded', money(chat.refundedCents)],
  ];
  return (
    <li className="rounded-2xl bg-zinc-50 p-3" data-testid="earnings-chat-card" data-code={chat.code}>
      <Link href={`/chat/${chat.code}`} className="font-medium break-words text-violet-700 underline-offset-4 hover:underline">
        {chat.name}
      </Link>
      <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
        {rows.map(([label, value, strong]) => (
          <div key={label} className="flex items-baseline justify-between gap-2">
            <dt className="text-zinc-600">{label}</dt>
            <dd className={`tabular-nums ${strong ? 'font-semibold text-zinc-900' : 'text-zinc-800'}`}>{value}</dd>
          </div>
        ))}
      </dl>
    </li>
  );
}

function Stat({ label, value, testId, strong = false }: { label: string; value: string; testId: string; strong?: boolean }) {
  return (
    <div className={`rounded-2xl p-3 ${strong ? 'bg-violet-50 ring-1 ring-violet-200' : 'bg-zinc-50'}`}>
      <dt className="text-xs text-zinc-600">{label}</dt>
      <dd className={`mt-1 text-lg font-bold tabular-nums ${strong ? 'text-violet-800' : 'text-zinc-900'}`} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function RefundDialog({ payment, money, onClose, onRefunded }: { payment: Payment | null; money: (cents: number) => string; onClose: () => void; onRefunded: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function refund() {
    if (!payment) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/payments/${encodeURIComponent(payment.id)}/refund`, {}, { schema: paymentResponseSchema });
      onRefunded();
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const effect =
    payment?.purpose === 'seat'
      ? 'Their Back Room seat is revoked at once.'
      : payment?.purpose === 'pin'
        ? 'Their pin is taken down at once.'
        : 'The tip message stays in the chat.';
  return (
    <Dialog
      open={payment !== null}
      onOpenChange={(open) => {
        if (!open) {
          setError(null);
          onClose();
        }
      }}
    >
      <DialogContent data-testid="refund-dialog">
        <DialogHeader>
          <DialogTitle>Refund {payment ? money(payment.amountCents) : ''}?</DialogTitle>
          <DialogDescription>
            {payment?.payer?.username ?? 'The payer'} gets {payment ? money(payment.amountCents) : ''} back. {effect} This cannot be undone.
          </DialogDescription>
        </DialogHeader>
        <FormError data-testid="refund-error">{error}</FormError>
        <DialogFooter>
          <Button variant="outline" onClick={onClose} disabled={busy}>
            Keep it
          </Button>
          <Button variant="destructive" onClick={() => void refund()} disabled={busy} data-testid="refund-confirm">
            {busy ? <Spinner label="Refunding" /> : 'Refund'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
