'use client';

import { blockListSchema, type ConversationDetail, type ConversationMember, type ConversationSummary, type Theme, type UserPresence } from '@chatpop/protocol';
import { BanIcon, MailIcon, UserPlusIcon } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { BlockConfirm } from '@/components/contacts/block-confirm';
import { Button } from '@/components/ui/button';
import { Badge, FormError } from '@/components/ui/misc';
import { api, errorMessage } from '@/lib/api';
import { personName } from '@/lib/inbox';
import type { InboxStore } from '@/lib/inbox-store';
import { presenceText } from '@/lib/presence';
import { useNow } from '@/lib/use-now';
import { THEME_LIST, type ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';
import { GroupPhoto } from './group-photo';
import { InviteLinks } from './invite-links';
import { PreferencesSection } from './conversation-settings';
import { AvatarWithPresence } from './presence';
import { AddMembersDialog, EditGroupButton, EditGroupInfo, GroupPermissionsForm, LeaveGroupButton, MemberMenu, canAddMembers, canEditInfo } from './group-admin';

const joinedFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/**
 * The details of a conversation: who is in it, in what role and whether they
 * are online, my own settings of it (mute, pin, archive), its theme, "mark as
 * unread", and for a group what its permissions let me change.
 */
export function ConversationInfo({
  conversation: c,
  members,
  flags,
  presence,
  store,
  theme,
  onChooseTheme,
  onMarkUnread,
  onChanged,
  onLeft,
}: {
  conversation: ConversationDetail;
  members: ConversationMember[];
  /** My settings as they now are (the list's row is fresher than the fetched details). */
  flags: Pick<ConversationSummary, 'muted' | 'mutedUntil' | 'archived' | 'pinned'>;
  presence: Readonly<Record<string, UserPresence>>;
  store: InboxStore;
  theme: ChatTheme;
  onChooseTheme: (theme: Theme) => void;
  onMarkUnread: () => Promise<void>;
  onChanged: (conversation: ConversationDetail) => void;
  onLeft: () => void;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const other = c.kind === 'direct' ? members.find((m) => m.memberId !== c.myMemberId) : undefined;
  const admin = c.kind === 'group' && c.myRole === 'admin';
  const now = new Date(useNow(true, 30_000));
  const otherPresence = other ? presenceText(presence[other.userId], now) : null;
  const blocks = useBlocks(setError);
  const [confirmBlock, setConfirmBlock] = useState<ConversationMember | null>(null);

  return (
    <div className="flex flex-col gap-6 px-4 pt-2 pb-6 text-foreground" data-testid="conversation-info">
      <div className="flex flex-col items-center gap-2 pt-2 text-center">
        <AvatarWithPresence
          name={c.name}
          avatarUrl={c.avatarUrl}
          presence={other ? presence[other.userId] : undefined}
          className="size-20 text-2xl"
          dotClassName="size-5 right-1 bottom-1 ring-[3px]"
        />
        <p className="text-lg leading-tight font-semibold break-words" data-testid="info-name">
          {c.name}
        </p>
        <p className="text-sm text-muted-foreground">
          {other ? `@${other.username}` : `Group · ${c.memberCount} members`}
        </p>
        {c.kind === 'group' && canEditInfo(c) && <GroupPhoto conversation={c} onChanged={onChanged} onError={setError} />}
        {otherPresence && (
          <p className="text-sm font-medium" data-testid="info-presence">
            {otherPresence}
          </p>
        )}
        {c.description && !editing && <p className="text-sm break-words whitespace-pre-wrap" data-testid="info-description">{c.description}</p>}
        {canEditInfo(c) &&
          (editing ? (
            <EditGroupInfo conversation={c} onChanged={onChanged} onDone={() => setEditing(false)} />
          ) : (
            <EditGroupButton onClick={() => setEditing(true)} />
          ))}
      </div>

      <section aria-labelledby="info-members">
        <div className="mb-2 flex items-center justify-between gap-2">
          <h3 id="info-members" className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
            {c.kind === 'group' ? `${members.length} members` : 'In this conversation'}
          </h3>
          {canAddMembers(c) && (
            <Button variant="ghost" size="sm" onClick={() => setAdding(true)} data-testid="add-members">
              <UserPlusIcon aria-hidden /> Add people
            </Button>
          )}
        </div>
        <ul className="flex flex-col gap-1" data-testid="info-members">
          {members.map((m) => (
            <li key={m.memberId} className="flex items-center gap-3 rounded-xl px-1 py-1.5" data-testid="info-member" data-username={m.username}>
              <AvatarWithPresence
                name={personName(m)}
                avatarUrl={m.avatarUrl}
                presence={m.memberId === c.myMemberId ? undefined : presence[m.userId]}
                className="size-10 text-sm"
                dotClassName="size-3"
              />
              <span className="min-w-0 flex-1">
                <span className="block truncate text-sm font-medium">
                  {personName(m)}
                  {m.memberId === c.myMemberId && <span className="font-normal text-muted-foreground"> (you)</span>}
                </span>
                <span className="block truncate text-xs text-muted-foreground" title={`Joined ${joinedFormat.format(new Date(m.joinedAt))}`}>
                  @{m.username}
                  {m.memberId !== c.myMemberId && presence[m.userId] && (
                    <span data-testid="info-member-presence"> · {presenceText(presence[m.userId], now)}</span>
                  )}
                </span>
              </span>
              {c.kind === 'group' && m.role === 'admin' && (
                <Badge className="bg-primary/15 text-foreground" data-testid="info-admin">
                  Admin
                </Badge>
              )}
              {c.kind === 'group' &&
                (m.memberId !== c.myMemberId ? (
                  <MemberMenu
                    conversation={c}
                    member={m}
                    admin={admin}
                    blocked={blocks.blocked ? blocks.blocked.has(m.userId) : null}
                    onBlock={() => setConfirmBlock(m)}
                    onUnblock={() => void blocks.unblock(m.userId)}
                    onChanged={onChanged}
                    onError={setError}
                  />
                ) : (
                  <span className="w-9 shrink-0" aria-hidden />
                ))}
            </li>
          ))}
        </ul>
      </section>

      {canAddMembers(c) && <InviteLinks conversation={c} onError={setError} />}

      {admin && (
        <section aria-labelledby="info-permissions">
          <h3 id="info-permissions" className="mb-3 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
            Group settings
          </h3>
          <GroupPermissionsForm conversation={c} onChanged={onChanged} onError={setError} />
        </section>
      )}

      <PreferencesSection flags={flags} store={store} id={c.id} />

      <section aria-labelledby="info-theme">
        <h3 id="info-theme" className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          Theme
        </h3>
        <div className="grid grid-cols-3 gap-2">
          {THEME_LIST.map((t) => (
            <button
              key={t.id}
              type="button"
              aria-pressed={t.id === theme.id}
              onClick={() => onChooseTheme(t.id)}
              className={cn(
                'flex flex-col items-center gap-1.5 rounded-xl px-1 py-2 text-xs font-medium ring-1 ring-border outline-none focus-visible:ring-2 focus-visible:ring-ring',
                t.id === theme.id && 'ring-2 ring-primary',
              )}
              data-testid={`info-theme-${t.id}`}
            >
              <span className={cn('size-6 rounded-full', t.swatch)} aria-hidden />
              {t.name}
            </button>
          ))}
        </div>
      </section>

      <div className="flex flex-col gap-2">
        <Button
          variant="outline"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              await onMarkUnread();
              // Staying here would read it again at once.
              router.push('/inbox');
            } catch (e) {
              setError(errorMessage(e));
            } finally {
              setBusy(false);
            }
          }}
          data-testid="mark-unread"
        >
          <MailIcon aria-hidden /> Mark as unread
        </Button>
        {c.kind === 'group' && <LeaveGroupButton conversation={c} onLeft={onLeft} />}
        {other && blocks.blocked && (
          <Button
            variant="outline"
            className={blocks.blocked.has(other.userId) ? undefined : 'text-destructive'}
            onClick={() => (blocks.blocked!.has(other.userId) ? void blocks.unblock(other.userId) : setConfirmBlock(other))}
            data-testid={blocks.blocked.has(other.userId) ? 'info-unblock' : 'info-block'}
          >
            <BanIcon aria-hidden /> {blocks.blocked.has(other.userId) ? `Unblock ${other.username}` : `Block ${other.username}`}
          </Button>
        )}
        <FormError data-testid="info-error">{error}</FormError>
      </div>
      {canAddMembers(c) && <AddMembersDialog conversation={c} members={members} open={adding} onOpenChange={setAdding} onChanged={onChanged} />}
      {confirmBlock && (
        <BlockConfirm
          username={confirmBlock.username}
          where={c.kind === 'group' ? 'group' : undefined}
          open
          onOpenChange={(open) => !open && setConfirmBlock(null)}
          onBlock={() => blocks.block(confirmBlock.userId)}
        />
      )}
    </div>
  );
}

/**
 * Whom I blocked, for the block and unblock actions of the details: the
 * direct partner's button and each group member's menu. A block stops
 * messages both ways in a direct conversation, refuses group adds and hides
 * each from the other's search and presence; the conversation, the group and
 * their history stay.
 */
function useBlocks(onError: (error: string | null) => void) {
  const [blocked, setBlocked] = useState<ReadonlySet<string> | null>(null);
  useEffect(() => {
    let cancelled = false;
    api
      .get('/api/blocks', { schema: blockListSchema })
      .then((res) => !cancelled && setBlocked(new Set(res.blocked.map((b) => b.userId))))
      .catch(() => !cancelled && setBlocked(new Set()));
    return () => {
      cancelled = true;
    };
  }, []);
  const change = (userId: string, on: boolean) =>
    setBlocked((current) => {
      const next = new Set(current);
      if (on) next.add(userId);
      else next.delete(userId);
      return next;
    });
  return {
    blocked,
    /** Rejects with the server's error (the confirmation shows it). */
    async block(userId: string) {
      onError(null);
      await api.post('/api/blocks', { userId });
      change(userId, true);
    },
    async unblock(userId: string) {
      onError(null);
      try {
        await api.delete(`/api/blocks/${userId}`);
        change(userId, false);
      } catch (e) {
        onError(errorMessage(e));
      }
    },
  };
}
