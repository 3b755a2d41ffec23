'use client';

import { TIMEOUT_PRESETS_SECONDS, memberListSchema, type ChatView, type Member, type MemberList, type ModerateMemberBody, type PresenceEntry } from '@chatpop/protocol';
import { MoreVerticalIcon } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuSub,
  DropdownMenuSubContent,
  DropdownMenuSubTrigger,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Button } from '@/components/ui/button';
import { Alert, Badge, Spinner, VerifiedBadge } from '@/components/ui/misc';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { api, chatPath, errorMessage } from '@/lib/api';
import { avatarColour, initial } from '@/lib/format';
import { cn } from '@/lib/utils';
import { BlockConfirm } from '@/components/contacts/block-confirm';
import { BanConfirm } from './ban-confirm';
import { timeoutLabel } from './message-actions';

type ListState = { status: 'loading' } | { status: 'ready'; members: MemberList['members'] } | { status: 'error'; error: string };

const ROLE_ORDER = { host: 0, admin: 1, moderator: 2, member: 3 } as const;
const ROLE_LABEL = { host: 'Host', admin: 'Admin', moderator: 'Moderator', member: null } as const;

export function ParticipantsSheet({
  open,
  onOpenChange,
  chat,
  online,
  onLoaded,
  self,
  updates,
  onModerate,
  onBlock,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  chat: ChatView;
  online: PresenceEntry[] | null;
  onLoaded: (count: number) => void;
  /** The reader's own participation: the host and moderators get a menu per participant. */
  self: Member | null;
  /** Participants changed live since the list was read. */
  updates: Record<string, Member>;
  onModerate: (memberId: string, username: string, body: ModerateMemberBody) => Promise<void>;
  /** Blocks a participant (a signed-in reader only); null when the reader cannot block. */
  onBlock: ((memberId: string) => Promise<void>) | null;
}) {
  const [blockedIds, setBlockedIds] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const canModerate = self?.role === 'host' || self?.role === 'moderator';
  const isHost = self?.role === 'host';

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
      .map((m) => ({ ...m, ...updates[m.id], online: live ? live.has(m.id) : m.online }))
      .sort(
        (a, b) =>
          Number(b.online) - Number(a.online) ||
          ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
          a.username.localeCompare(b.username, undefined, { sensitivity: 'base' }),
      );
  }, [state, online, updates]);

  const [banning, setBanning] = useState<Member | null>(null);
  const [blocking, setBlocking] = useState<Member | null>(null);

  async function act(m: Member, body: ModerateMemberBody) {
    setActionError(null);
    try {
      await onModerate(m.id, m.username, body);
    } catch (e) {
      setActionError(e instanceof Error ? e.message : 'That did not work. Try again.');
    }
  }

  /** After the confirmation; rejects with the server's error, which the confirmation shows. */
  async function blockMember(m: Member) {
    if (!onBlock) return;
    setActionError(null);
    setNotice(null);
    await onBlock(m.id);
    setBlockedIds((prev) => new Set(prev).add(m.id));
    setNotice(`You blocked ${m.username}. You won't see their messages, reactions or typing here. Unblock them from Contacts.`);
  }

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
          {actionError && (
            <p role="alert" className="mx-2 mb-2 rounded-xl bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
              {actionError}
            </p>
          )}
          {notice && (
            <p role="status" className="mx-2 mb-2 rounded-xl bg-muted px-3 py-2 text-sm text-foreground" data-testid="participant-block-notice">
              {notice}
            </p>
          )}
          {onBlock && (
            <p className="mx-2 mb-2 text-xs text-muted-foreground">
              You can block people signed in under their username (the verified badge). Anonymous participants can't be blocked: report
              their messages instead.
            </p>
          )}
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
                    {m.profile?.avatarUrl ? (
                      <img src={m.profile.avatarUrl} alt="" className="size-9 rounded-full object-cover" data-testid="participant-avatar" />
                    ) : (
                      <span
                        className={cn('flex size-9 items-center justify-center rounded-full text-sm font-semibold text-white', avatarColour(m.username))}
                        aria-hidden
                      >
                        {initial(m.username)}
                      </span>
                    )}
                    <span
                      className={cn(
                        'absolute -right-0.5 -bottom-0.5 size-3 rounded-full ring-2 ring-background',
                        !m.online ? 'bg-zinc-400' : m.profile?.status === 'busy' ? 'bg-red-500' : m.profile?.status === 'away' ? 'bg-amber-400' : 'bg-green-500',
                      )}
                      aria-hidden
                    />
                  </span>
                  <span className="flex min-w-0 flex-1 flex-col">
                    <span className="flex items-center gap-1 font-medium">
                      <span className="truncate">{m.profile?.displayName ?? m.username}</span>
                      {m.verified && <VerifiedBadge />}
                    </span>
                    {m.profile?.displayName && <span className="truncate text-xs text-muted-foreground">@{m.username}</span>}
                    <span className="text-xs text-muted-foreground" data-testid="participant-status">
                      {m.online ? (m.profile?.status === 'away' ? 'Away' : m.profile?.status === 'busy' ? 'Busy' : 'Online') : 'Offline'}
                      {m.banned && ' · Banned'}
                      {!m.banned && m.mutedUntil && new Date(m.mutedUntil).getTime() > Date.now() && ' · Timed out'}
                      {m.hidden && ' · Hidden'}
                    </span>
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
                  {((canModerate && m.role !== 'host' && m.id !== self?.id && (isHost || m.role !== 'moderator')) ||
                    (onBlock && m.verified && m.id !== self?.id && !blockedIds.has(m.id))) && (
                    <DropdownMenu>
                      <DropdownMenuTrigger
                        className="flex size-9 shrink-0 items-center justify-center rounded-lg outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
                        aria-label={`Actions for ${m.username}`}
                        data-testid="participant-menu"
                      >
                        <MoreVerticalIcon className="size-4" aria-hidden />
                      </DropdownMenuTrigger>
                      <DropdownMenuContent align="end">
                        <DropdownMenuLabel>{m.username}</DropdownMenuLabel>
                        {canModerate && m.role !== 'host' && (isHost || m.role !== 'moderator') && (
                          <>
                        {m.mutedUntil && new Date(m.mutedUntil).getTime() > Date.now() ? (
                          <DropdownMenuItem onSelect={() => void act(m, { action: 'untimeout' })}>Lift the time-out</DropdownMenuItem>
                        ) : (
                          <DropdownMenuSub>
                            <DropdownMenuSubTrigger data-testid="participant-timeout">Time out</DropdownMenuSubTrigger>
                            <DropdownMenuSubContent>
                              {TIMEOUT_PRESETS_SECONDS.map((seconds) => (
                                <DropdownMenuItem key={seconds} onSelect={() => void act(m, { action: 'timeout', seconds })} data-testid={`participant-timeout-${seconds}`}>
                                  {timeoutLabel(seconds)}
                                </DropdownMenuItem>
                              ))}
                            </DropdownMenuSubContent>
                          </DropdownMenuSub>
                        )}
                        <DropdownMenuItem onSelect={() => void act(m, { action: m.hidden ? 'unhide' : 'hide' })} data-testid="participant-hide">
                          {m.hidden ? 'Show their messages again' : 'Hide silently'}
                        </DropdownMenuItem>
                        <DropdownMenuItem
                          onSelect={() => (m.banned ? void act(m, { action: 'unban' }) : setBanning(m))}
                          className={m.banned ? undefined : 'text-destructive'}
                          data-testid="participant-ban"
                        >
                          {m.banned ? 'Lift the ban' : 'Ban from the chat'}
                        </DropdownMenuItem>
                        {isHost && (
                          <>
                            <DropdownMenuSeparator />
                            <DropdownMenuItem
                              onSelect={() => void act(m, { action: m.role === 'moderator' ? 'demote' : 'promote' })}
                              data-testid="participant-role"
                            >
                              {m.role === 'moderator' ? 'Remove as moderator' : 'Make moderator'}
                            </DropdownMenuItem>
                          </>
                        )}
                          </>
                        )}
                        {onBlock && m.verified && !blockedIds.has(m.id) && (
                          <>
                            <DropdownMenuSeparator />
                            <DropdownMenuItem onSelect={() => setBlocking(m)} className="text-destructive" data-testid="participant-block">
                              Block {m.username}
                            </DropdownMenuItem>
                          </>
                        )}
                      </DropdownMenuContent>
                    </DropdownMenu>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      </SheetContent>
      {banning && (
        <BanConfirm
          username={banning.username}
          open
          onOpenChange={(o) => {
            if (!o) setBanning(null);
          }}
          onBan={(body) => onModerate(banning.id, banning.username, body)}
        />
      )}
      {blocking && (
        <BlockConfirm
          username={blocking.username}
          where="pop"
          open
          onOpenChange={(o) => {
            if (!o) setBlocking(null);
          }}
          onBlock={() => blockMember(blocking)}
        />
      )}
    </Sheet>
  );
}
