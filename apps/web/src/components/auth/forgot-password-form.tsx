'use client';

import { emailSchema, passwordResetRequestedSchema } from '@chatpop/protocol';
import { MailIcon } from 'lucide-react';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { api, fieldErrors } from '@/lib/api';
import { AuthCard } from './auth-card';

/** Asks for a reset link. The answer is the same for every email, known or not. */
export function ForgotPasswordForm() {
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = emailSchema.safeParse(email);
    if (!parsed.success) {
      setErrors({ email: parsed.error.issues[0]?.message ?? 'Enter a valid email address.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const res = await api.post('/api/auth/password-reset', { email: parsed.data }, { schema: passwordResetRequestedSchema, refresh: false });
      setSent(res.message);
    } catch (error) {
      setErrors(fieldErrors(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard
      title="Reset your password"
      subtitle="We'll email you a link to choose a new one."
      footer={
        <Link href="/login" className="font-medium text-violet-700 underline-offset-4 hover:underline">
          Back to sign in
        </Link>
      }
    >
      {sent ? (
        <div className="flex flex-col items-center gap-3 text-center" role="status" data-testid="reset-requested">
          <span className="flex size-12 items-center justify-center rounded-2xl bg-violet-100 text-violet-800" aria-hidden>
            <MailIcon className="size-6" />
          </span>
          <p className="text-sm text-zinc-700">{sent}</p>
          <p className="text-xs text-zinc-600">Nothing after a few minutes? Check your spam folder, or ask again.</p>
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="flex flex-col gap-5" data-testid="forgot-form">
          <div className="flex flex-col gap-2">
            <Label htmlFor="forgot-email">Email</Label>
            <Input
              id="forgot-email"
              type="email"
              autoComplete="email"
              inputMode="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={Boolean(errors.email)}
              aria-describedby={errors.email ? 'forgot-email-error' : undefined}
              data-testid="forgot-email"
            />
            <FormError id="forgot-email-error">{errors.email}</FormError>
          </div>
          <FormError>{errors._form}</FormError>
          <Button type="submit" size="lg" disabled={busy} data-testid="forgot-submit">
            {busy ? <Spinner label="Sending" /> : 'Email me a link'}
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
