'use client';

import { meResponseSchema, passwordProblems } from '@chatpop/protocol';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { ApiError, api, fieldErrors } from '@/lib/api';
import { AuthCard } from './auth-card';
import { PasswordInput, PasswordRules } from './password-input';


/** The page an emailed reset link opens: a new password, then signed in. */
export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter();
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [invalidLink, setInvalidLink] = useState<string | null>(token ? null : 'This reset link is incomplete. Ask for a new one.');
  const [busy, setBusy] = useState(false);
  const problems = passwordProblems(password);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (problems.length > 0) {
      setErrors({ password: `The password needs ${problems.join(', ')}.` });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api.post('/api/auth/password-reset/confirm', { token, password }, { schema: meResponseSchema, refresh: false });
      router.replace('/account?reset=1');
    } catch (error) {
      if (error instanceof ApiError && error.code === 'RESET_TOKEN_INVALID') setInvalidLink(error.message);
      else setErrors(fieldErrors(error));
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Choose a new password" subtitle="Every other session of your account will be signed out.">
      {invalidLink ? (
        <Alert
          title="This link doesn't work"
          action={
            <Button asChild variant="outline" size="sm">
              <Link href="/forgot-password" data-testid="ask-new-link">
                Ask for a new link
              </Link>
            </Button>
          }
        >
          <span data-testid="reset-invalid">{invalidLink}</span>
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate className="flex flex-col gap-5" data-testid="reset-form">
          <div className="flex flex-col gap-2">
            <Label htmlFor="reset-password">New password</Label>
            <PasswordInput
              id="reset-password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                setErrors((prev) => ({ ...prev, password: '' }));
              }}
              aria-describedby="reset-password-rules"
              aria-invalid={Boolean(errors.password)}
              data-testid="reset-password"
            />
            <PasswordRules id="reset-password-rules" password={password} />
            <FormError>{errors.password}</FormError>
          </div>
          <FormError>{errors._form}</FormError>
          <Button type="submit" size="lg" disabled={busy} data-testid="reset-submit">
            {busy ? <Spinner label="Saving" /> : 'Set the new password'}
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
