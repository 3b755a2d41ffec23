'use client';

import { loginBodySchema, meResponseSchema } from '@chatpop/protocol';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { api, fieldErrors } from '@/lib/api';
import { AuthCard } from './auth-card';
import { PasswordInput } from './password-input';

export function LoginForm({ next }: { next: string }) {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = loginBodySchema.safeParse({ email, password });
    if (!parsed.success) {
      const out: Record<string, string> = {};
      for (const issue of parsed.error.issues) out[String(issue.path[0] ?? '_form')] ??= issue.message;
      setErrors(out);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api.post('/api/auth/login', parsed.data, { schema: meResponseSchema, refresh: false });
      router.replace(next);
      router.refresh();
    } catch (error) {
      setErrors(fieldErrors(error));
      setBusy(false);
    }
  }

  const registerHref = next === '/' ? '/register' : `/register?next=${encodeURIComponent(next)}`;

  return (
    <AuthCard
      title="Welcome back"
      subtitle="Sign in to host chats and keep your verified username."
      footer={
        <>
          New to ChatPop?{' '}
          <Link href={registerHref} className="font-medium text-violet-700 underline-offset-4 hover:underline">
            Create an account
          </Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="flex flex-col gap-5" data-testid="login-form">
        <div className="flex flex-col gap-2">
          <Label htmlFor="login-email">Email</Label>
          <Input
            id="login-email"
            name="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={Boolean(errors.email)}
            aria-describedby={errors.email ? 'login-email-error' : undefined}
            data-testid="login-email"
            required
          />
          <FormError id="login-email-error">{errors.email}</FormError>
        </div>
        <div className="flex flex-col gap-2">
          <div className="flex items-baseline justify-between">
            <Label htmlFor="login-password">Password</Label>
            <Link href="/forgot-password" className="text-xs font-medium text-violet-700 underline-offset-4 hover:underline" data-testid="forgot-link">
              Forgot password?
            </Link>
          </div>
          <PasswordInput
            id="login-password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={Boolean(errors.password)}
            aria-describedby={errors.password ? 'login-password-error' : undefined}
            data-testid="login-password"
            required
          />
          <FormError id="login-password-error">{errors.password}</FormError>
        </div>
        <FormError data-testid="login-error">{errors._form}</FormError>
        <Button type="submit" size="lg" disabled={busy} data-testid="login-submit">
          {busy ? <Spinner label="Signing in" /> : 'Sign in'}
        </Button>
      </form>
    </AuthCard>
  );
}
