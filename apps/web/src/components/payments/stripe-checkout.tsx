'use client';

import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import { loadStripe, type Stripe } from '@stripe/stripe-js';
import { useMemo, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { FormError, Spinner } from '@/components/ui/misc';

const stripes = new Map<string, Promise<Stripe | null>>();
function stripeFor(publishableKey: string): Promise<Stripe | null> {
  let stripe = stripes.get(publishableKey);
  if (!stripe) {
    stripe = loadStripe(publishableKey);
    stripes.set(publishableKey, stripe);
  }
  return stripe;
}

/**
 * Stripe's Payment Element for a PaymentIntent the server created (SPEC §2.8).
 * Confirming sends the payer to Stripe (3-D Secure and the like) and back to
 * `returnPath`; the effect happens only when the server hears from Stripe
 * (verified webhook), never because this page says so.
 */
export function StripeCheckout({ clientSecret, publishableKey, amountLabel, returnPath }: { clientSecret: string; publishableKey: string; amountLabel: string; returnPath: string }) {
  const stripe = useMemo(() => stripeFor(publishableKey), [publishableKey]);
  return (
    <Elements stripe={stripe} options={{ clientSecret }}>
      <StripeForm amountLabel={amountLabel} returnPath={returnPath} />
    </Elements>
  );
}

function StripeForm({ amountLabel, returnPath }: { amountLabel: string; returnPath: string }) {
  const stripe = useStripe();
  const elements = useElements();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!stripe || !elements) return;
    setBusy(true);
    setError(null);
    const { error: failure } = await stripe.confirmPayment({ elements, confirmParams: { return_url: new URL(returnPath, window.location.origin).href } });
    // Only reached when the confirmation failed at once; otherwise Stripe redirects.
    setError(failure.message ?? 'The payment did not go through.');
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" data-testid="stripe-checkout">
      <PaymentElement />
      <FormError>{error}</FormError>
      <Button type="submit" size="lg" disabled={!stripe || !elements || busy}>
        {busy ? <Spinner label="Paying" /> : `Pay ${amountLabel}`}
      </Button>
    </form>
  );
}
