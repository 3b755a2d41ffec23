'use client';

import { PIN_MAX_CENTS, PIN_TEXT_MAX_CHARS, pinDurationSeconds, type Message } from '@chatpop/protocol';
import { PinIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { amountInput, formatDuration, formatMoney, parseAmount } from '@/lib/money';
import { cn } from '@/lib/utils';

/** What to pin: one of my messages, or a new message sent as a paid pin. */
export type PinTarget = { kind: 'message'; message: Message } | { kind: 'new'; text: string };

/** The server refused the quote: someone pinned first; this is the new price. */
export class StaleQuoteError extends Error {
  constructor(
    readonly quoteCents: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Paying to pin (SPEC §2.6): the server's quote is the least it costs now
 * (the base price, or the top pin plus the step); paying more pins longer
 * (SPEC §7). A stale quote comes back with the new price to accept or not.
 */
export function PinDialog({
  target,
  quoteCents,
  currency,
  onClose,
  onPin,
}: {
  target: PinTarget | null;
  quoteCents: number;
  currency: string;
  onClose: () => void;
  /** Starts the payment with the quote it was shown; resolves once checkout takes over. */
  onPin: (target: PinTarget, amountCents: number, quotedCents: number) => Promise<void>;
}) {
  return (
    <Dialog open={target !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="pin-dialog">
        {target && <PinForm key={target.kind === 'message' ? target.message.id : 'new'} target={target} quoteCents={quoteCents} currency={currency} onPin={onPin} />}
      </DialogContent>
    </Dialog>
  );
}

function PinForm({
  target: initial,
  quoteCents: liveQuote,
  currency,
  onPin,
}: {
  target: PinTarget;
  quoteCents: number;
  currency: string;
  onPin: (target: PinTarget, amountCents: number, quotedCents: number) => Promise<void>;
}) {
  const [text, setText] = useState(initial.kind === 'new' ? initial.text : '');
  // The quote this form shows: the live one, or the one a refusal named (the server
  // also counts pins still being paid for, which are not broadcast).
  const [quote, setQuote] = useState(liveQuote);
  const [seenLive, setSeenLive] = useState(liveQuote);
  const [staleNotice, setStaleNotice] = useState<string | null>(null);
  const [amountText, setAmountText] = useState(amountInput(liveQuote));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const moveQuote = (next: number, why: string) => {
    const typed = parseAmount(amountText);
    if (typed === null || typed < next) setAmountText(amountInput(next));
    setQuote(next);
    setStaleNotice(next > quote ? `${why} The price is now ${formatMoney(next, currency)}.` : `The price is now ${formatMoney(next, currency)}.`);
  };

  // The price moved while the form was open (a pin went live or ran out).
  if (liveQuote !== seenLive && !busy) {
    setSeenLive(liveQuote);
    if (liveQuote !== quote) moveQuote(liveQuote, 'Someone just pinned.');
  }

  const amount = parseAmount(amountText);
  const amountError =
    amount === null
      ? 'Type an amount like 12 or 12.50.'
      : amount < quote
        ? `At least ${formatMoney(quote, currency)} now.`
        : amount > PIN_MAX_CENTS
          ? `At most ${formatMoney(PIN_MAX_CENTS, currency)}.`
          : null;
  const textError = initial.kind === 'new' && !text.trim() ? 'Write the message to pin.' : text.length > PIN_TEXT_MAX_CHARS ? 'That message is too long.' : null;
  const suggestions = [quote, ...[500, 1000, 2000, 5000, 10_000, 20_000].filter((c) => c > quote)].slice(0, 4);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (amountError || textError || amount === null) {
      setError(textError ?? amountError);
      return;
    }
    setBusy(true);
    setError(null);
    const target: PinTarget = initial.kind === 'new' ? { kind: 'new', text: text.trim() } : initial;
    try {
      await onPin(target, amount, quote);
    } catch (e) {
      if (e instanceof StaleQuoteError) {
        moveQuote(e.quoteCents, e.message);
      } else {
        setError(e instanceof Error ? e.message : 'The pin did not go through. Try again.');
      }
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <DialogHeader>
        <DialogTitle className="flex items-center gap-2">
          <PinIcon className="size-5 text-emerald-700 dark:text-emerald-300" aria-hidden />
          {initial.kind === 'message' ? 'Pin your message' : 'Send a paid pin'}
        </DialogTitle>
        <DialogDescription>
          The highest pin sits at the top of the chat, under the host&apos;s messages. Pay {formatMoney(quote, currency)} or more; more pins longer.
        </DialogDescription>
      </DialogHeader>
      {initial.kind === 'message' ? (
        <blockquote className="line-clamp-3 rounded-r-xl border-l-4 border-emerald-500 bg-muted px-3 py-2 text-sm break-words whitespace-pre-wrap" data-testid="pin-preview">
          {initial.message.content}
        </blockquote>
      ) : (
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="pin-text">Message</Label>
          <Textarea id="pin-text" value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={PIN_TEXT_MAX_CHARS} data-testid="pin-text" />
        </div>
      )}
      {staleNotice && (
        <p role="alert" className="rounded-xl bg-amber-100 px-3 py-2 text-sm text-amber-950 dark:bg-amber-900 dark:text-amber-50" data-testid="pin-stale">
          {staleNotice}
        </p>
      )}
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Amount</legend>
        <div className="grid grid-cols-4 gap-2">
          {suggestions.map((cents) => (
            <button
              key={cents}
              type="button"
              aria-pressed={amount === cents}
              onClick={() => setAmountText(amountInput(cents))}
              className={cn(
                'h-11 rounded-xl border text-sm font-semibold tabular-nums outline-none focus-visible:ring-2 focus-visible:ring-ring',
                amount === cents ? 'border-primary bg-primary text-primary-foreground' : 'border-input bg-background hover:bg-accent',
              )}
              data-testid={`pin-amount-${cents}`}
            >
              {formatMoney(cents, currency)}
            </button>
          ))}
        </div>
        <Label htmlFor="pin-amount">Or type an amount</Label>
        <Input
          id="pin-amount"
          inputMode="decimal"
          value={amountText}
          onChange={(e) => setAmountText(e.target.value)}
          aria-invalid={amountError !== null}
          aria-describedby="pin-amount-help"
          data-testid="pin-amount"
        />
        <p id="pin-amount-help" className={cn('text-sm', amountError ? 'text-destructive' : 'text-muted-foreground')} data-testid="pin-amount-help">
          {amountError ?? `Pinned for ${formatDuration(pinDurationSeconds(amount ?? 0))}.`}
        </p>
      </fieldset>
      <FormError data-testid="pin-error">{error}</FormError>
      <Button type="submit" size="lg" disabled={busy || amountError !== null || textError !== null} data-testid="pin-submit">
        {busy ? <Spinner label="Starting the payment" /> : amount !== null && !amountError ? `Pin for ${formatMoney(amount, currency)}` : 'Pin'}
      </Button>
    </form>
  );
}
