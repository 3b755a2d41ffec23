'use client';

import { conversationDetailSchema, invitePreviewSchema, type InvitePreview } from '@chatpop/protocol';
import { UsersIcon } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { z } from 'zod';
import { AuthCard } from '@/components/auth/auth-card';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { ApiError, api } from '@/lib/api';
import { avatarColour, initial } from '@/lib/format';
import { useSession } from '@/lib/session';
import { cn } from '@/lib/utils';

type State =
  | { status: 'loading' }
  | { status: 'ready'; invite: InvitePreview }
  | { status: 'error'; code: string; message: string };

const acceptSchema = z.object({ conversation: conversationDetailSchema, joined: z.boolean() });

/** The page an invite link opens (`/join/TOKEN`): the group's name and size, and one button to join. */
export function JoinGroup({ token }: { token: string }) {
  const router = useRouter();
  const { session } = useSession();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [joining, setJoining] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const here = `/join/${encodeURIComponent(token)}`;

  useEffect(() => {
    if (session.status !== 'signed-in') return;
    let cancelled = false;
    api
      .get(`/api/invites/${encodeURIComponent(token)}`, { schema: z.object({ invite: invitePreviewSchema }) })
      .then(({ invite }) => !cancelled && setState({ status: 'ready', invite }))
      .catch((error: unknown) => {
        if (cancelled) return;
        setState(
          error instanceof ApiError
            ? { status: 'error', code: error.code, message: error.message }
            : { status: 'error', code: 'NETWORK', message: 'We could not open this invite just now. Try again.' },
        );
      });
    return () => {
      cancelled = true;
    };
  }, [token, session.status]);

  async function join() {
    setJoining(true);
    setJoinError(null);
    try {
      const { conversation } = await api.post(`/api/invites/${encodeURIComponent(token)}/accept`, {}, { schema: acceptSchema });
      router.push(`/inbox/${conversation.id}`);
    } catch (error) {
      setJoinError(error instanceof ApiError ? error.message : 'We could not join you just now. Try again.');
      setJoining(false);
    }
  }

  if (session.status === 'loading' || (session.status === 'signed-in' && state.status === 'loading')) {
    return (
      <AuthCard title="Join a group">
        <div className="flex justify-center py-6">
          <Spinner label="Opening the invite" />
        </div>
      </AuthCard>
    );
  }
  if (session.status !== 'signed-in') {
    return (
      <AuthCard title="Join a group" subtitle="Someone invited you to a group on ChatPop. Sign in or create an account to see it and join.">
        <div className="flex flex-col gap-2 sm:flex-row">
          <Button asChild className="h-11 flex-1">
            <Link href={`/login?next=${encodeURIComponent(here)}`} data-testid="join-group-sign-in">
              Sign in
            </Link>
          </Button>
          <Button asChild variant="outline" className="h-11 flex-1">
            <Link href={`/register?next=${encodeURIComponent(here)}`}>Create an account</Link>
          </Button>
        </div>
      </AuthCard>
    );
  }
  if (state.status === 'error') {
    return (
      <AuthCard title="Join a group">
        <Alert
          title={state.code === 'INVITE_EXPIRED' || state.code === 'INVITE_USED_UP' ? 'This invite has run out' : "This invite doesn't work"}
          action={
            state.code === 'USERNAME_REQUIRED' ? (
              <Button asChild variant="outline" size="sm">
                <Link href="/account">Choose a username</Link>
              </Button>
            ) : undefined
          }
        >
          <span data-testid="join-group-error">{state.message}</span>
        </Alert>
      </AuthCard>
    );
  }
  if (state.status !== 'ready') return null;
  const { invite } = state;
  return (
    <AuthCard title="Join a group" subtitle="You were invited with a link.">
      <div className="flex items-center gap-4" data-testid="join-group-preview">
        {invite.avatarUrl ? (
          <img src={invite.avatarUrl} alt="" className="size-16 shrink-0 rounded-full object-cover" />
        ) : (
          <span className={cn('flex size-16 shrink-0 items-center justify-center rounded-full text-2xl font-semibold text-white', avatarColour(invite.name))} aria-hidden>
            {initial(invite.name)}
          </span>
        )}
        <div className="min-w-0">
          <p className="text-lg font-semibold break-words text-zinc-900" data-testid="join-group-name">
            {invite.name}
          </p>
          <p className="flex items-center gap-1.5 text-sm text-zinc-600">
            <UsersIcon className="size-4" aria-hidden /> {invite.memberCount} {invite.memberCount === 1 ? 'member' : 'members'}
          </p>
        </div>
      </div>
      {invite.description && <p className="mt-4 text-sm break-words whitespace-pre-wrap text-zinc-700">{invite.description}</p>}
      {joinError && (
        <p role="alert" className="mt-4 text-sm font-medium text-red-700" data-testid="join-group-failed">
          {joinError}
        </p>
      )}
      <div className="mt-6">
        {invite.member ? (
          <Button asChild className="h-11 w-full">
            <Link href={`/inbox/${invite.conversationId}`} data-testid="join-group-open">
              You are in this group — open it
            </Link>
          </Button>
        ) : (
          <Button className="h-11 w-full" onClick={() => void join()} disabled={joining} data-testid="join-group-accept">
            {joining ? <Spinner label="Joining" /> : 'Join group'}
          </Button>
        )}
      </div>
    </AuthCard>
  );
}
