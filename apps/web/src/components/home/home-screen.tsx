'use client';

import { CHAT_CODE_LENGTH, myChatsSchema, type ChatView, type MyChats } from '@chatpop/protocol';
import { ArrowRightIcon, LockIcon, LogOutIcon, MessageCircleIcon, PlusIcon, UsersIcon } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { UserAvatar } from '@/components/account/user-avatar';
import { InboxLink } from '@/components/inbox/inbox-link';
import { NotificationBell } from '@/components/notifications/notification-bell';
import { SearchLink } from '@/components/search/search-link';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert, Spinner, VerifiedBadge } from '@/components/ui/misc';
import { api, ApiError, errorMessage } from '@/lib/api';
import { normalizeChatCode } from '@/lib/chat-code';
import { useSession } from '@/lib/session';

type MineState = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; chats: MyChats } | { status: 'error'; error: string };

export function HomeScreen() {
  const { session, signOut } = useSession();
  const [mine, setMine] = useState<MineState>({ status: 'idle' });
  const signedIn = session.status === 'signed-in';

  useEffect(() => {
    if (!signedIn) return;
    let cancelled = false;
    setMine({ status: 'loading' });
    api
      .get('/api/chats/mine', { schema: myChatsSchema })
      .then((chats) => !cancelled && setMine({ status: 'ready', chats }))
      .catch((error: unknown) => !cancelled && setMine({ status: 'error', error: errorMessage(error) }));
    return () => {
      cancelled = true;
    };
  }, [signedIn]);

  const createHref = session.status === 'signed-out' ? '/login?next=/create' : '/create';

  const actions =
    session.status === 'signed-in' ? (
      <>
        <SearchLink />
        <InboxLink />
        <NotificationBell />
        <Link
          href="/account"
          aria-label={`Your account: signed in as ${session.user.username ?? session.user.displayName ?? session.user.email}`}
          className="flex items-center gap-2 rounded-full py-1 pr-1 pl-1 text-sm text-zinc-600 sm:pr-3 outline-none hover:bg-violet-50 focus-visible:ring-2 focus-visible:ring-ring"
          data-testid="account-link"
        >
          <UserAvatar user={session.user} className="size-8 text-sm" />
          <span className="hidden items-center gap-1 sm:inline-flex" data-testid="signed-in-as">
            <span className="sr-only">Your account: signed in as </span>
            <strong className="font-semibold text-zinc-900">{session.user.username ?? session.user.displayName ?? session.user.email}</strong>
            {session.user.username && <VerifiedBadge />}
          </span>
        </Link>
        <Button variant="ghost" size="sm" onClick={() => void signOut()} data-testid="sign-out">
          {/* A phone's header has room for the icon only; the words stay for screen readers. */}
          <LogOutIcon aria-hidden /> <span className="sr-only sm:not-sr-only">Sign out</span>
        </Button>
      </>
    ) : session.status === 'loading' ? null : (
      <>
        <Button asChild variant="ghost" size="sm">
          <Link href="/login" data-testid="sign-in-link">
            Sign in
          </Link>
        </Button>
        <Button asChild variant="outline" size="sm">
          <Link href="/register" data-testid="register-link">
            Register
          </Link>
        </Button>
      </>
    );

  return (
    <PageShell actions={actions}>
      <section className="mx-auto flex max-w-2xl flex-col items-center gap-6 pt-10 pb-12 text-center sm:pt-20">
        <span className="inline-flex items-center gap-1.5 rounded-full bg-violet-100 px-3 py-1 text-xs font-semibold text-violet-800">
          <MessageCircleIcon className="size-3.5" aria-hidden /> Real-time group chat, no app needed
        </span>
        <h1 className="text-4xl font-extrabold tracking-tight text-balance text-zinc-900 sm:text-6xl">
          Start a chat in seconds. <span className="bg-gradient-to-r from-violet-700 to-pink-600 bg-clip-text text-transparent">Share the link.</span>
        </h1>
        <p className="max-w-xl text-lg text-pretty text-zinc-600">
          Your audience joins with just a username — no account, no download. You host, highlight and moderate.
        </p>
        <Button asChild size="lg" className="h-14 rounded-2xl px-8 text-lg shadow-lg shadow-violet-600/25">
          <Link href={createHref} data-testid="create-chat">
            <PlusIcon className="size-5!" aria-hidden /> Create a ChatPop
          </Link>
        </Button>
        {session.status === 'signed-out' && (
          <p className="text-sm text-zinc-600">
            Hosting needs a free account.{' '}
            <Link href="/register" className="font-medium text-violet-700 underline-offset-4 hover:underline">
              Register
            </Link>{' '}
            or{' '}
            <Link href="/login" className="font-medium text-violet-700 underline-offset-4 hover:underline">
              sign in
            </Link>
            .
          </p>
        )}
        <JoinByCode />
      </section>

      {session.status === 'unknown' && (
        <Alert title="Can't reach the server" className="mx-auto max-w-2xl">
          {session.error}
        </Alert>
      )}

      {signedIn && (
        <section className="mx-auto grid max-w-4xl gap-6 md:grid-cols-2" aria-label="Your chats">
          {mine.status === 'loading' || mine.status === 'idle' ? (
            <div className="col-span-full flex justify-center py-8 text-zinc-500">
              <Spinner label="Loading your chats" />
            </div>
          ) : mine.status === 'error' ? (
            <Alert title="Could not load your chats" className="col-span-full">
              {mine.error}
            </Alert>
          ) : (
            <>
              <ChatListCard
                title="Chats you host"
                testId="my-chats-hosting"
                chats={mine.chats.hosting}
                empty="You don't host a chat yet. Create one above."
              />
              <ChatListCard
                title="Chats you joined"
                testId="my-chats-joined"
                chats={mine.chats.joined}
                empty="Chats you join show up here."
              />
            </>
          )}
        </section>
      )}
    </PageShell>
  );
}

function JoinByCode() {
  const router = useRouter();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const normalized = normalizeChatCode(code);
    if (!normalized) {
      setError(`A chat code has ${CHAT_CODE_LENGTH} letters and digits, like 7KQ2M9XD. Check the code and try again.`);
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await api.get(`/api/chats/${normalized}`);
      router.push(`/chat/${normalized}`);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? `No chat has the code ${normalized}. Check it with whoever shared it.` : errorMessage(err));
      setChecking(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="mt-2 flex w-full max-w-sm flex-col items-stretch gap-2 text-left">
      <Label htmlFor="join-code" className="text-zinc-700">
        Have a chat code?
      </Label>
      <div className="flex gap-2">
        <Input
          id="join-code"
          value={code}
          onChange={(e) => {
            setCode(e.target.value);
            setError(null);
          }}
          placeholder="7KQ2M9XD"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={CHAT_CODE_LENGTH + 4}
          className="font-mono tracking-widest uppercase"
          aria-invalid={error !== null}
          aria-describedby={error ? 'join-code-error' : undefined}
          data-testid="join-code-input"
        />
        <Button type="submit" variant="outline" className="h-11" disabled={code.trim() === '' || checking} aria-label="Open chat">
          {checking ? <Spinner /> : <ArrowRightIcon aria-hidden />}
        </Button>
      </div>
      {error && (
        <p id="join-code-error" role="alert" className="text-sm font-medium text-red-700" data-testid="join-code-error">
          {error}
        </p>
      )}
    </form>
  );
}

function ChatListCard({ title, chats, empty, testId }: { title: string; chats: ChatView[]; empty: string; testId: string }) {
  return (
    <div className="rounded-3xl border border-zinc-200 bg-white p-5 shadow-sm" data-testid={testId}>
      <h2 className="mb-3 text-base font-semibold text-zinc-900">{title}</h2>
      {chats.length === 0 ? (
        <p className="text-sm text-zinc-600">{empty}</p>
      ) : (
        <ul className="-mx-2 flex flex-col">
          {chats.map((chat) => (
            <li key={chat.roomId}>
              <Link
                href={`/chat/${chat.code}`}
                className="flex items-center gap-3 rounded-2xl px-2 py-2.5 outline-none hover:bg-zinc-50 focus-visible:ring-2 focus-visible:ring-ring"
              >
                <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-violet-100 font-semibold text-violet-800" aria-hidden>
                  {chat.name.slice(0, 1).toUpperCase()}
                </span>
                <span className="min-w-0 flex-1">
                  <span className="flex items-center gap-1.5 font-medium text-zinc-900">
                    <span className="truncate">{chat.name}</span>
                    {chat.access === 'private' && <LockIcon className="size-3.5 shrink-0 text-zinc-500" aria-label="Private" role="img" />}
                  </span>
                  <span className="flex items-center gap-2 text-xs text-zinc-600">
                    <span className="font-mono">{chat.code}</span>
                    <span aria-hidden>·</span>
                    <span className="inline-flex items-center gap-1">
                      <UsersIcon className="size-3" aria-hidden /> {chat.memberCount}
                    </span>
                    <span aria-hidden>·</span>
                    <span>{chat.onlineCount} online</span>
                    {chat.endedAt && <span className="text-zinc-500">· ended</span>}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
