'use client';

import { backroomMembersSchema, type BackroomMembers } from '@chatpop/protocol';
import { useEffect, useState } from 'react';
import { Alert, Badge, Spinner, VerifiedBadge } from '@/components/ui/misc';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { api, chatPath, errorMessage } from '@/lib/api';
import { avatarColour, formatFull, initial } from '@/lib/format';
import { cn } from '@/lib/utils';

type State = { status: 'loading' } | { status: 'ready'; members: BackroomMembers['members'] } | { status: 'error'; message: string };

/** Who holds a Back Room seat (SPEC §2.5: only the host sees this list). */
export function BackroomMembersSheet({ code, open, onOpenChange }: { code: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    api
      .get(chatPath(code, '/backroom/members'), { schema: backroomMembersSchema })
      .then(({ members }) => !cancelled && setState({ status: 'ready', members: members.filter((m) => m.role !== 'host') }))
      .catch((error: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(error) }));
    return () => {
      cancelled = true;
    };
  }, [code, open]);

  return (
    <Sheet open={open} onOpenChange={onOpenChange}>
      <SheetContent data-testid="backroom-members">
        <SheetHeader className="px-5 pt-5">
          <SheetTitle>Back Room members</SheetTitle>
          <SheetDescription>Only you see who holds a seat.</SheetDescription>
        </SheetHeader>
        <div className="flex-1 overflow-y-auto px-3 pb-5">
          {state.status === 'loading' ? (
            <div className="flex justify-center py-8">
              <Spinner label="Loading the members" />
            </div>
          ) : state.status === 'error' ? (
            <Alert title="Couldn't load the members">{state.message}</Alert>
          ) : state.members.length === 0 ? (
            <p className="px-2 text-sm text-muted-foreground">No seats sold yet.</p>
          ) : (
            <ul className="flex flex-col gap-1">
              {state.members.map((m) => (
                <li key={m.id} className="flex items-center gap-3 rounded-xl px-2 py-2" data-testid="backroom-member">
                  <span className={cn('relative flex size-9 shrink-0 items-center justify-center rounded-full text-sm font-semibold text-white', avatarColour(m.username))} aria-hidden>
                    {initial(m.username)}
                    {m.online && <span className="absolute -right-0.5 -bottom-0.5 size-3 rounded-full bg-green-500 ring-2 ring-background" />}
                  </span>
                  <span className="min-w-0 flex-1">
                    <span className="flex items-center gap-1 text-sm font-medium">
                      <span className="truncate">{m.username}</span>
                      {m.verified && <VerifiedBadge className="size-3.5" />}
                      {m.role === 'host' && <Badge className="bg-amber-100 text-amber-900">Host</Badge>}
                    </span>
                    <span className="block text-xs text-muted-foreground">
                      {m.online ? 'Online' : 'Offline'}
                      {m.seatSince && ` · seat since ${formatFull(m.seatSince)}`}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
