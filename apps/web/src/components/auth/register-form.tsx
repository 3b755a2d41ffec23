'use client';

import { checkUsername, emailSchema, ownedNameSchema, passwordProblems, registeredResponseSchema } from '@chatpop/protocol';
import { CircleCheckIcon, CircleXIcon, Loader2Icon, MailIcon } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { api, fieldErrors } from '@/lib/api';
import { useUsernameAvailability, type Availability } from '@/lib/username-availability';
import { cn } from '@/lib/utils';
import { AuthCard } from './auth-card';
import { PasswordInput, PasswordRules } from './password-input';


export function RegisterForm({ next, username: initialUsername = '' }: { next: string; username?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [username, setUsername] = useState(initialUsername);
  /** The name this browser already chats under: it may be reserved (the upgrade path of SPEC §2.3). */
  const [owned, setOwned] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api
      .get('/api/usernames/mine', { schema: ownedNameSchema, refresh: false })
      .then((res) => !cancelled && setOwned(res.owned))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  /** After registering: what the server said, for the address it was sent to. */
  const [sent, setSent] = useState<{ message: string; email: string } | null>(null);

  const problems = passwordProblems(password);
  const usernameCheck = username.trim() ? checkUsername(username) : null;
  const availability = useUsernameAvailability(username);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const out: Record<string, string> = {};
    const emailParsed = emailSchema.safeParse(email);
    if (!emailParsed.success) out.email = emailParsed.error.issues[0]?.message ?? 'Enter a valid email address.';
    if (problems.length > 0) out.password = `The password needs ${problems.join(', ')}.`;
    if (usernameCheck && !usernameCheck.ok) out.username = usernameCheck.message ?? 'Check the username.';
    else if (availability.status === 'taken') out.username = availability.message;
    setErrors(out);
    if (Object.keys(out).length > 0) return;

    setBusy(true);
    try {
      const res = await api.post(
        '/api/auth/register',
        { email: emailParsed.data, password, next, ...(usernameCheck ? { username: usernameCheck.username } : {}) },
        { schema: registeredResponseSchema, refresh: false },
      );
      setSent({ message: res.message, email: emailParsed.data ?? email });
    } catch (error) {
      setErrors(fieldErrors(error, { USERNAME_TAKEN: 'username', USERNAME_INVALID: 'username' }));
    }
    setBusy(false);
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
      {sent ? (
        <div className="flex flex-col items-center gap-3 text-center" role="status" data-testid="register-sent">
          <span className="flex size-12 items-center justify-center rounded-2xl bg-violet-100 text-violet-800" aria-hidden>
            <MailIcon className="size-6" />
          </span>
          <p className="text-base font-semibold text-zinc-900">Check your email</p>
          <p className="max-w-full truncate rounded-full bg-zinc-100 px-3 py-1 text-sm font-medium text-zinc-900" data-testid="register-sent-to">
            {sent.email}
          </p>
          <p className="text-sm text-zinc-700">{sent.message}</p>
          <p className="text-xs text-zinc-600">Nothing after a few minutes? Check your spam folder, or sign in to get the link again. Only the newest link works.</p>
          <Button variant="outline" size="sm" onClick={() => setSent(null)} data-testid="register-again">
            Use another address
          </Button>
        </div>
      ) : (
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
            onChange={(e) => {
              setPassword(e.target.value);
              setErrors((prev) => ({ ...prev, password: '' }));
            }}
            aria-invalid={Boolean(errors.password)}
            aria-describedby="register-password-rules"
            data-testid="register-password"
            required
          />
          <PasswordRules id="register-password-rules" password={password} testId="password-rules" />
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
            onChange={(e) => {
              setUsername(e.target.value);
              setErrors((prev) => ({ ...prev, username: '' }));
            }}
            aria-invalid={Boolean(errors.username) || availability.status === 'invalid' || availability.status === 'taken'}
            aria-describedby="register-username-help"
            data-testid="register-username"
          />
          <UsernameHelp availability={availability} />
          {owned && username.trim().toLowerCase() !== owned.toLowerCase() && (
            <button
              type="button"
              onClick={() => setUsername(owned)}
              className="self-start rounded-lg text-left text-xs font-medium text-violet-700 underline-offset-4 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
              data-testid="use-owned-name"
            >
              Keep {owned}, the name you chat under on this device
            </button>
          )}
          <FormError>{errors.username}</FormError>
        </div>

        <FormError data-testid="register-error">{errors._form}</FormError>
        <Button type="submit" size="lg" disabled={busy} data-testid="register-submit">
          {busy ? <Spinner label="Creating your account" /> : 'Create account'}
        </Button>
      </form>
      )}
    </AuthCard>
  );
}

/** Live, while typing: the rule a name breaks, or whether it is free (SPEC §2.3), announced politely. */
function UsernameHelp({ availability }: { availability: Availability }) {
  const tone =
    availability.status === 'available' || availability.status === 'yours'
      ? 'text-green-700'
      : availability.status === 'invalid' || availability.status === 'taken'
        ? 'text-red-700'
        : 'text-zinc-600';
  return (
    <p
      id="register-username-help"
      className={cn('flex min-h-5 items-start gap-1.5 text-xs', tone)}
      aria-live="polite"
      data-testid="username-availability"
      data-state={availability.status}
    >
      {availability.status === 'empty' ? (
        '5–15 letters, digits or underscores. Reserved for you everywhere, with a verified badge.'
      ) : availability.status === 'checking' ? (
        <>
          <Loader2Icon className="size-3.5 shrink-0 animate-spin" aria-hidden /> Checking {availability.username}…
        </>
      ) : availability.status === 'unknown' ? (
        'We could not check this name just now; we will when you register.'
      ) : (
        <>
          {availability.status === 'available' || availability.status === 'yours' ? (
            <CircleCheckIcon className="size-3.5 shrink-0" aria-hidden />
          ) : (
            <CircleXIcon className="size-3.5 shrink-0" aria-hidden />
          )}
          <span>{availability.message}</span>
        </>
      )}
    </p>
  );
}
