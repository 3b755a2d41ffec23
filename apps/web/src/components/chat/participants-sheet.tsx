'use client';

import { memberListSchema, type ChatView, type MemberList, type PresenceEntry } from '@chatpop/protocol';
import { useEffect, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Alert, Badge, Spinner, VerifiedBadge } from '@/components/ui/misc';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { api, chatPath, errorMessage } from '@/lib/api';
import { avatarColour, initial } from '@/lib/format';
import { cn } from '@/lib/utils';

type ListState = { status: 'loading' } | { status: 'ready'; members: MemberList['members'] } | { status: 'error'; error: string };

const ROLE_ORDER = { host: 0, admin: 1, moderator: 2, member: 3 } as const;
const ROLE_LABEL = { host: 'Host', admin: 'Admin', moderator: 'Moderator', member: null } as const;

export function ParticipantsSheet({
  open,
  onOpenChange,
  chat,
  online,
  onLoaded,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  chat: ChatView;
  online: PresenceEntry[] | null;
  onLoaded: (count: number) => void;
}) {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' }));
    api
      .get(chatPath(chat.code, '/members'), { schema: memberListSchema })
      .then((res) => {
        if (cancelled) return;
        setState({ status: 'ready', members: res.members });
        onLoaded(res.members.length);
      })
      .catch((error: unknown) => !cancelled && setState({ status: 'error', error: errorMessage(error) }));
    return () => {
      cancelled = true;
    };
  }, [open, chat.code, attempt, onLoaded]);

  // Live presence (from the socket) wins over the list's snapshot of who is online.
  const members = useMemo(() => {
    if (state.status !== 'ready') return [];
    const live = online ? new Set(online.map((p) => p.memberId)) : null;
    return state.members
      .map((m) => ({ ...m, online: live ? live.has(m.id) : m.online }))
      .sort(
        (a, b) =>
          Number(b.online) - Number(a.online) ||
          ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
          a.username.localeCompare(b.username, undefined, { sensitivity: 'base' }),
      );
  }, [state, online]);

  const onlineCount = members.filter((m) => m.online).length;

  return (
    <Sheet open={open} onOpenChange={onOpenChange}>
      <SheetContent side="right" data-testid="participants-sheet">
        <SheetHeader>
          <SheetTitle>Participants</SheetTitle>
          <SheetDescription>
            {state.status === 'ready' ? `${members.length} in this chat · ${onlineCount} online` : 'Who is in this chat'}
          </SheetDescription>
        </SheetHeader>
        <div className="min-h-0 flex-1 overflow-y-auto px-3 pb-4">
          {state.status === 'loading' ? (
            <div className="flex justify-center py-10 text-muted-foreground">
              <Spinner label="Loading participants" />
            </div>
          ) : state.status === 'error' ? (
            <Alert
              title="Couldn't load the participants"
              className="mx-2"
              action={
                <Button size="sm" variant="outline" onClick={() => setAttempt((n) => n + 1)}>
                  Try again
                </Button>
              }
            >
              {state.error}
            </Alert>
          ) : members.length === 0 ? (
            <p className="px-2 py-6 text-center text-sm text-muted-foreground">Nobody has joined yet.</p>
          ) : (
            <ul className="flex flex-col">
              {members.map((m) => (
                <li
                  key={m.id}
                  className="flex items-center gap-3 rounded-xl px-2 py-2"
                  data-testid="participant"
                  data-online={m.online}
                  data-role={m.role}
                >
                  <span className="relative">
                    <span
                      className={cn('flex size-9 items-center justify-center rounded-full text-sm font-semibold text-white', avatarColour(m.username))}
                      aria-hidden
                    >
                      {initial(m.username)}
                    </span>
                    <span
                      className={cn(
                        'absolute -right-0.5 -bottom-0.5 size-3 rounded-full ring-2 ring-background',
                        m.online ? 'bg-green-500' : 'bg-zinc-400',
                      )}
                      aria-hidden
                    />
                  </span>
                  <span className="flex min-w-0 flex-1 flex-col">
                    <span className="flex items-center gap-1 font-medium">
                      <span className="truncate">{m.username}</span>
                      {m.verified && <VerifiedBadge />}
                    </span>
                    <span className="text-xs text-muted-foreground">{m.online ? 'Online' : 'Offline'}</span>
                  </span>
                  {ROLE_LABEL[m.role] && (
                    <Badge
                      className={
                        m.role === 'host'
                          ? 'bg-amber-100 text-amber-900 dark:bg-yellow-400 dark:text-zinc-950'
                          : 'bg-muted text-foreground'
                      }
                    >
                      {ROLE_LABEL[m.role]}
                    </Badge>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
