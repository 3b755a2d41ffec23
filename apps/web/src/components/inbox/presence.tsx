import type { PresenceStatus, UserPresence } from '@chatpop/protocol';
import { hasDot, STATUS_WORDS } from '@/lib/presence';
import { cn } from '@/lib/utils';
import { ConversationAvatar } from './conversation-avatar';

const DOT_COLOURS: Record<PresenceStatus, string> = {
  online: 'bg-green-500',
  away: 'bg-amber-400',
  busy: 'bg-red-500',
  offline: 'bg-zinc-400',
};

/** A coloured dot for a status: green online, amber away, red busy (offline shows none beside a person). */
export function StatusDot({ status, className }: { status: PresenceStatus; className?: string }) {
  return <span className={cn('inline-block size-2.5 shrink-0 rounded-full', DOT_COLOURS[status], className)} aria-hidden />;
}

/**
 * A person's or a direct conversation's picture with their presence dot on its
 * corner (SPEC §4: the presence dot of the conversation list), named for
 * screen readers; nothing while they are offline.
 */
export function AvatarWithPresence({
  name,
  avatarUrl,
  presence,
  className,
  dotClassName,
}: {
  name: string;
  avatarUrl: string | null;
  presence: UserPresence | undefined;
  className?: string;
  dotClassName?: string;
}) {
  return (
    <span className="relative shrink-0">
      <ConversationAvatar name={name} avatarUrl={avatarUrl} className={className} />
      {hasDot(presence) && (
        <span
          role="img"
          aria-label={STATUS_WORDS[presence.status]}
          className={cn('absolute right-0 bottom-0 size-3.5 rounded-full ring-2 ring-background', DOT_COLOURS[presence.status], dotClassName)}
          data-testid="presence-dot"
          data-status={presence.status}
        />
      )}
    </span>
  );
}
