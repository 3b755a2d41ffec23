'use client';

import { checkUsernameFormat, emailSchema, meResponseSchema, passwordProblems } from '@chatpop/protocol';
import { CheckIcon, CircleIcon } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { api, fieldErrors } from '@/lib/api';
import { cn } from '@/lib/utils';
import { AuthCard } from './auth-card';
import { PasswordInput } from './password-input';

/** Every password rule, as the protocol words them ("at least 8 characters", …). */
const PASSWORD_RULES = passwordProblems('');

export function RegisterForm({ next }: { next: string }) {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [username, setUsername] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const problems = passwordProblems(password);
  const usernameCheck = username.trim() ? checkUsernameFormat(username) : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const out: Record<string, string> = {};
    const emailParsed = emailSchema.safeParse(email);
    if (!emailParsed.success) out.email = emailParsed.error.issues[0]?.message ?? 'Enter a valid email address.';
    if (problems.length > 0) out.password = `The password needs ${problems.join(', ')}.`;
    if (usernameCheck && !usernameCheck.ok) out.username = usernameCheck.message ?? 'Check the username.';
    setErrors(out);
    if (Object.keys(out).length > 0) return;

    setBusy(true);
    try {
      await api.post(
        '/api/auth/register',
        { email: emailParsed.data, password, ...(usernameCheck ? { username: usernameCheck.username } : {}) },
        { schema: meResponseSchema, refresh: false },
      );
      router.replace(next);
      router.refresh();
    } catch (error) {
      setErrors(fieldErrors(error, { EMAIL_TAKEN: 'email', USERNAME_TAKEN: 'username', USERNAME_INVALID: 'username' }));
      setBusy(false);
    }
  }

  const loginHref = next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;

  return (
    <AuthCard
      title="Create your account"
      subtitle="Host chats, get paid, and reserve a username with a verified badge."
      footer={
        <>
          Already have an account?{' '}
          <Link href={loginHref} className="font-medium text-violet-700 underline-offset-4 hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="flex flex-col gap-5" data-testid="register-form">
        <div className="flex flex-col gap-2">
          <Label htmlFor="register-email">Email</Label>
          <Input
            id="register-email"
            name="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={Boolean(errors.email)}
            aria-describedby={errors.email ? 'register-email-error' : undefined}
            data-testid="register-email"
            required
          />
          <FormError id="register-email-error">{errors.email}</FormError>
        </div>

        <div className="flex flex-col gap-2">
          <Label htmlFor="register-password">Password</Label>
          <PasswordInput
            id="register-password"
            name="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={Boolean(errors.password)}
            aria-describedby="register-password-rules"
            data-testid="register-password"
            required
          />
          <ul id="register-password-rules" className="grid grid-cols-2 gap-x-3 gap-y-1 text-xs" data-testid="password-rules">
            {PASSWORD_RULES.map((rule) => {
              const met = password.length > 0 && !problems.includes(rule);
              return (
                <li key={rule} className={cn('flex items-center gap-1.5', met ? 'text-green-700' : 'text-zinc-600')} data-met={met}>
                  {met ? <CheckIcon className="size-3.5" aria-hidden /> : <CircleIcon className="size-3" aria-hidden />}
                  <span>
                    {rule}
                    <span className="sr-only">{met ? ' (done)' : ' (needed)'}</span>
                  </span>
                </li>
              );
            })}
          </ul>
          <FormError>{errors.password}</FormError>
        </div>

        <div className="flex flex-col gap-2">
          <Label htmlFor="register-username">
            Username <span className="font-normal text-zinc-500">(optional)</span>
          </Label>
          <Input
            id="register-username"
            name="username"
            autoComplete="username"
            autoCapitalize="off"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={Boolean(errors.username) || (usernameCheck !== null && !usernameCheck.ok)}
            aria-describedby="register-username-help"
            data-testid="register-username"
          />
          <p id="register-username-help" className="text-xs text-zinc-600" data-testid="username-rules">
            {usernameCheck && !usernameCheck.ok ? (
              <span className="text-red-700">{usernameCheck.message}</span>
            ) : usernameCheck?.ok ? (
              <span className="text-green-700">Looks good. In chats it shows with a verified badge.</span>
            ) : (
              '5–15 letters, digits or underscores. Reserved for you everywhere, with a verified badge.'
            )}
          </p>
          <FormError>{errors.username}</FormError>
        </div>

        <FormError data-testid="register-error">{errors._form}</FormError>
        <Button type="submit" size="lg" disabled={busy} data-testid="register-submit">
          {busy ? <Spinner label="Creating your account" /> : 'Create account'}
        </Button>
      </form>
    </AuthCard>
  );
}
