'use client';

import { sessionListSchema, type SessionInfo } from '@chatpop/protocol';
import { LaptopIcon, LogOutIcon, ShieldCheckIcon, SmartphoneIcon } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { api, errorMessage } from '@/lib/api';
import { formatAgo, formatFull } from '@/lib/format';
import { AccountShell, Section } from './account-shell';

const PHONE_SYSTEMS = /\b(iOS|Android|iPadOS)\b/;

export function SessionsPage() {
  return <AccountShell title="Your account">{() => <SessionList />}</AccountShell>;
}

type State = { status: 'loading' } | { status: 'ready'; sessions: SessionInfo[] } | { status: 'error'; message: string };

function SessionList() {
  const router = useRouter();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);

  const load = useCallback(async () => {
    try {
      const { sessions } = await api.get('/api/me/sessions', { schema: sessionListSchema });
      // This device first, then the most recently active.
      setState({ status: 'ready', sessions: [...sessions].sort((a, b) => Number(b.current) - Number(a.current)) });
    } catch (err) {
      setState({ status: 'error', message: errorMessage(err) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(key: string, work: () => Promise<unknown>, after: () => void | Promise<void>) {
    setPending(key);
    setError(null);
    try {
      await work();
      await after();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(null);
    }
  }

  const signOutOne = (s: SessionInfo) =>
    act(s.id, () => api.delete(`/api/me/sessions/${s.id}`), s.current ? () => router.replace('/login') : load);
  const signOutOthers = () => act('others', () => api.post('/api/me/sessions/revoke-others'), load);
  const signOutAll = () =>
    act('all', () => api.post('/api/auth/logout-all', {}, { refresh: false }), () => {
      setConfirmAll(false);
      router.replace('/login');
    });

  if (state.status === 'loading') {
    return (
      <div className="flex justify-center py-12 text-zinc-500">
        <Spinner label="Loading your sessions" />
      </div>
    );
  }
  if (state.status === 'error') return <Alert title="Could not load your sessions">{state.message}</Alert>;

  const others = state.sessions.filter((s) => !s.current).length;
  return (
    <>
      <Section
        title="Where you're signed in"
        description="Each browser or device you signed in on. Sign out of any you don't recognise."
        testId="sessions-section"
      >
        <ul className="-mx-2 flex flex-col divide-y divide-zinc-100" data-testid="session-list">
          {state.sessions.map((s) => {
            const Icon = s.device && PHONE_SYSTEMS.test(s.device) ? SmartphoneIcon : LaptopIcon;
            return (
              <li key={s.id} className="flex items-center gap-3 px-2 py-3" data-testid="session" data-current={s.current}>
                <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-violet-100 text-violet-800" aria-hidden>
                  <Icon className="size-5" />
                </span>
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-x-2 font-medium text-zinc-900">
                    <span className="truncate" data-testid="session-device">
                      {s.device ?? 'Unknown browser'}
                    </span>
                    {s.current && (
                      <span className="rounded-full bg-green-100 px-2 py-0.5 text-[0.6875rem] font-semibold text-green-800" data-testid="session-current">
                        This device
                      </span>
                    )}
                  </p>
                  <p className="text-xs text-zinc-600">
                    <time dateTime={s.lastUsedAt} title={formatFull(s.lastUsedAt)}>
                      Active {formatAgo(s.lastUsedAt)}
                    </time>
                    {' · signed in '}
                    <time dateTime={s.createdAt} title={formatFull(s.createdAt)}>
                      {formatAgo(s.createdAt)}
                    </time>
                  </p>
                  {s.ip && <p className="text-xs text-zinc-600">{s.ip}</p>}
                </div>
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => void signOutOne(s)}
                  disabled={pending !== null}
                  aria-label={`Sign out ${s.current ? 'this device' : (s.device ?? 'this session')}`}
                  data-testid="session-sign-out"
                >
                  {pending === s.id ? <Spinner label="Signing out" /> : 'Sign out'}
                </Button>
              </li>
            );
          })}
        </ul>
        <FormError className="mt-3">{error}</FormError>
      </Section>

      <Section title="Sign out everywhere" description="For a lost phone or a shared computer." testId="sign-out-everywhere-section">
        <div className="flex flex-col gap-2 sm:flex-row">
          <Button variant="outline" onClick={() => void signOutOthers()} disabled={others === 0 || pending !== null} data-testid="sign-out-others">
            <ShieldCheckIcon aria-hidden /> Sign out other sessions{others > 0 ? ` (${others})` : ''}
          </Button>
          <Button variant="destructive" onClick={() => setConfirmAll(true)} disabled={pending !== null} data-testid="sign-out-all">
            <LogOutIcon aria-hidden /> Sign out everywhere
          </Button>
        </div>
      </Section>

      <Dialog open={confirmAll} onOpenChange={setConfirmAll}>
        <DialogContent data-testid="confirm-sign-out-all">
          <DialogHeader>
            <DialogTitle>Sign out everywhere?</DialogTitle>
            <DialogDescription>Every session ends, this one too. You'll sign in again with your password.</DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setConfirmAll(false)}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={() => void signOutAll()} disabled={pending !== null} data-testid="confirm-sign-out-all-button">
              {pending === 'all' ? <Spinner label="Signing out" /> : 'Sign out everywhere'}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
