'use client';

import { meResponseSchema } from '@chatpop/protocol';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { ApiError, api } from '@/lib/api';
import { AuthCard } from './auth-card';

/** The page the emailed confirmation link opens: confirms the address, signs in, and goes on to `next`. */
export function ConfirmEmail({ token, next }: { token: string; next: string }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(token ? null : 'This confirmation link is incomplete. Sign in to get a new one.');
  const started = useRef(false);

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    api
      .post('/api/auth/confirm-email', { token }, { schema: meResponseSchema, refresh: false })
      .then(() => {
        router.replace(next);
        router.refresh();
      })
      .catch((error: unknown) =>
        setProblem(error instanceof ApiError ? error.message : 'We could not confirm your email just now. Open the link again.'),
      );
  }, [token, next, router]);

  return (
    <AuthCard title="Confirm your email" subtitle="One tap and your account is ready.">
      {problem ? (
        <Alert
          title="This link doesn't work"
          action={
            <Button asChild variant="outline" size="sm">
              <Link href={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} data-testid="confirm-sign-in">
                Sign in
              </Link>
            </Button>
          }
        >
          <span data-testid="confirm-invalid">{problem}</span>
        </Alert>
      ) : (
        <div className="flex justify-center py-6" data-testid="confirm-pending">
          <Spinner label="Confirming your email" />
        </div>
      )}
    </AuthCard>
  );
}
