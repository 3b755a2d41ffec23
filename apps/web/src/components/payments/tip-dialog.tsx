'use client';

import { TIP_MAX_CENTS, TIP_MIN_CENTS, TIP_NOTE_MAX_CHARS } from '@chatpop/protocol';
import { HeartHandshakeIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { formatMoney, parseAmount } from '@/lib/money';
import { cn } from '@/lib/utils';

export const TIP_PRESETS_CENTS = [300, 500, 1000, 2000] as const;

/** Tipping the host (SPEC §2.7): a preset or a custom $1–$500, an optional note. */
export function TipDialog({
  open,
  onOpenChange,
  hostName,
  currency,
  onTip,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  hostName: string | null;
  currency: string;
  /** Starts the payment; resolves once checkout takes over. */
  onTip: (amountCents: number, note: string) => Promise<void>;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="tip-dialog">{open && <TipForm hostName={hostName} currency={currency} onTip={onTip} />}</DialogContent>
    </Dialog>
  );
}

function TipForm({ hostName, currency, onTip }: { hostName: string | null; currency: string; onTip: (amountCents: number, note: string) => Promise<void> }) {
  const [preset, setPreset] = useState<number | null>(500);
  const [custom, setCustom] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const customCents = custom.trim() ? parseAmount(custom) : null;
  const amount = preset ?? customCents;
  const customError =
    preset === null && custom.trim()
      ? customCents === null
        ? 'Type an amount like 7 or 7.50.'
        : customCents < TIP_MIN_CENTS || customCents > TIP_MAX_CENTS
          ? `A tip is between ${formatMoney(TIP_MIN_CENTS, currency)} and ${formatMoney(TIP_MAX_CENTS, currency)}.`
          : null
      : null;
  const valid = amount !== null && amount >= TIP_MIN_CENTS && amount <= TIP_MAX_CENTS;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!valid || amount === null) {
      setError(customError ?? 'Choose an amount.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onTip(amount, note.trim());
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The tip did not go through. Try again.');
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <DialogHeader>
        <DialogTitle className="flex items-center gap-2">
          <HeartHandshakeIcon className="size-5 text-pink-600 dark:text-pink-400" aria-hidden /> Tip {hostName ?? 'the host'}
        </DialogTitle>
        <DialogDescription>Everyone in the chat sees your tip and your note.</DialogDescription>
      </DialogHeader>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Amount</legend>
        <div className="grid grid-cols-4 gap-2">
          {TIP_PRESETS_CENTS.map((cents) => (
            <button
              key={cents}
              type="button"
              aria-pressed={preset === cents}
              onClick={() => {
                setPreset(cents);
                setError(null);
              }}
              className={cn(
                'h-12 rounded-xl border text-base font-semibold tabular-nums outline-none focus-visible:ring-2 focus-visible:ring-ring',
                preset === cents ? 'border-primary bg-primary text-primary-foreground' : 'border-input bg-background hover:bg-accent',
              )}
              data-testid={`tip-preset-${cents}`}
            >
              {formatMoney(cents, currency)}
            </button>
          ))}
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="tip-custom">Or another amount</Label>
          <Input
            id="tip-custom"
            inputMode="decimal"
            placeholder="$1 to $500"
            value={custom}
            onFocus={() => setPreset(null)}
            onChange={(e) => {
              setPreset(null);
              setCustom(e.target.value);
              setError(null);
            }}
            aria-invalid={customError !== null}
            aria-describedby={customError ? 'tip-custom-error' : undefined}
            data-testid="tip-custom"
          />
          {customError && (
            <p id="tip-custom-error" className="text-sm text-destructive" data-testid="tip-custom-error">
              {customError}
            </p>
          )}
        </div>
      </fieldset>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="tip-note">Note (optional)</Label>
        <Textarea id="tip-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={TIP_NOTE_MAX_CHARS} rows={2} placeholder="Say something nice" data-testid="tip-note" />
      </div>
      <FormError data-testid="tip-error">{error}</FormError>
      <Button type="submit" size="lg" disabled={busy || !valid} data-testid="tip-submit">
        {busy ? <Spinner label="Starting the payment" /> : valid && amount !== null ? `Tip ${formatMoney(amount, currency)}` : 'Tip'}
      </Button>
    </form>
  );
}
