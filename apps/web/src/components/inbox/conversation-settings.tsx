'use client';

import type { ConversationSummary, MuteDuration } from '@chatpop/protocol';
import { ArchiveIcon, ArchiveRestoreIcon, BellIcon, BellOffIcon, EllipsisVerticalIcon, InfoIcon, MailIcon, PinIcon, PinOffIcon } from 'lucide-react';
import { useCallback, useState } from 'react';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { FormError } from '@/components/ui/misc';
import { errorMessage } from '@/lib/api';
import type { InboxStore, Preference } from '@/lib/inbox-store';
import { isMutedNow, muteText } from '@/lib/presence';
import type { ChatTheme } from '@/lib/themes';
import { useNow } from '@/lib/use-now';
import { cn } from '@/lib/utils';
import { headerButton } from './inbox-chrome';

/**
 * My own settings for one conversation (SPEC §4): mute for 8 hours, a week or
 * always; archive; pin to the top of the list. Reachable on touch from the
 * conversation's header menu and from its details.
 */

export const MUTE_CHOICES: { duration: MuteDuration; label: string }[] = [
  { duration: '8h', label: 'For 8 hours' },
  { duration: '1w', label: 'For 1 week' },
  { duration: 'always', label: 'Always' },
];

type Flags = Pick<ConversationSummary, 'muted' | 'mutedUntil' | 'archived' | 'pinned'>;

/** Runs one setting change, with its refusal (a sixth pin) kept to show. */
export function usePreference(store: InboxStore, id: string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (preference: Preference) => {
      setBusy(true);
      setError(null);
      try {
        await store.setPreference(id, preference);
        return true;
      } catch (e) {
        setError(errorMessage(e));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [store, id],
  );
  return { run, busy, error, clearError: () => setError(null) };
}

/** The header's "more" menu of an open conversation. */
export function ConversationMenu({
  flags,
  theme,
  onPreference,
  onMarkUnread,
  onDetails,
}: {
  flags: Flags;
  theme: ChatTheme;
  onPreference: (preference: Preference) => void;
  onMarkUnread: () => void;
  onDetails: () => void;
}) {
  const now = useNow(true, 60_000);
  const muted = isMutedNow(flags, now);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger className={cn(headerButton, theme.headerButton)} aria-label="More actions" data-testid="conversation-menu-button">
        <EllipsisVerticalIcon aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-56" data-testid="conversation-menu">
        <DropdownMenuItem onSelect={onDetails} data-testid="menu-details">
          <InfoIcon aria-hidden /> Details
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        {muted ? (
          <>
            <DropdownMenuLabel>{muteText(flags, now)}</DropdownMenuLabel>
            <DropdownMenuItem onSelect={() => onPreference({ action: 'unmute' })} data-testid="menu-unmute">
              <BellIcon aria-hidden /> Unmute
            </DropdownMenuItem>
          </>
        ) : (
          <>
            <DropdownMenuLabel>Mute notifications</DropdownMenuLabel>
            {MUTE_CHOICES.map((choice) => (
              <DropdownMenuItem key={choice.duration} onSelect={() => onPreference({ action: 'mute', duration: choice.duration })} data-testid={`menu-mute-${choice.duration}`}>
                <BellOffIcon aria-hidden /> {choice.label}
              </DropdownMenuItem>
            ))}
          </>
        )}
        <DropdownMenuSeparator />
        {!flags.archived &&
          (flags.pinned ? (
            <DropdownMenuItem onSelect={() => onPreference({ action: 'unpin' })} data-testid="menu-unpin">
              <PinOffIcon aria-hidden /> Unpin from top
            </DropdownMenuItem>
          ) : (
            <DropdownMenuItem onSelect={() => onPreference({ action: 'pin' })} data-testid="menu-pin">
              <PinIcon aria-hidden /> Pin to top
            </DropdownMenuItem>
          ))}
        {flags.archived ? (
          <DropdownMenuItem onSelect={() => onPreference({ action: 'unarchive' })} data-testid="menu-unarchive">
            <ArchiveRestoreIcon aria-hidden /> Move out of archive
          </DropdownMenuItem>
        ) : (
          <DropdownMenuItem onSelect={() => onPreference({ action: 'archive' })} data-testid="menu-archive">
            <ArchiveIcon aria-hidden /> Archive
          </DropdownMenuItem>
        )}
        <DropdownMenuItem onSelect={onMarkUnread} data-testid="menu-mark-unread">
          <MailIcon aria-hidden /> Mark as unread
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** The same settings in the details panel, as buttons. */
export function PreferencesSection({ flags, store, id }: { flags: Flags; store: InboxStore; id: string }) {
  const { run, busy, error } = usePreference(store, id);
  const now = useNow(true, 60_000);
  const muted = isMutedNow(flags, now);
  return (
    <section aria-labelledby="info-notifications" className="flex flex-col gap-3" data-testid="info-preferences">
      <div>
        <h3 id="info-notifications" className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          Notifications
        </h3>
        {muted ? (
          <div className="flex items-center justify-between gap-2">
            <p className="flex items-center gap-2 text-sm" data-testid="info-muted">
              <BellOffIcon className="size-4 text-muted-foreground" aria-hidden /> {muteText(flags, now)}
            </p>
            <Button variant="outline" size="sm" disabled={busy} onClick={() => void run({ action: 'unmute' })} data-testid="info-unmute">
              Unmute
            </Button>
          </div>
        ) : (
          <>
            <p className="mb-2 text-sm text-muted-foreground" id="info-mute-for">
              Mute for
            </p>
            <div role="group" aria-labelledby="info-mute-for" className="grid grid-cols-3 gap-2">
              {MUTE_CHOICES.map((choice) => (
                <Button
                  key={choice.duration}
                  variant="outline"
                  size="sm"
                  disabled={busy}
                  onClick={() => void run({ action: 'mute', duration: choice.duration })}
                  aria-label={`Mute ${choice.label.toLowerCase()}`}
                  data-testid={`info-mute-${choice.duration}`}
                >
                  {choice.label.replace('For ', '')}
                </Button>
              ))}
            </div>
          </>
        )}
      </div>
      <div className="flex flex-wrap gap-2">
        {!flags.archived && (
          <Button variant="outline" size="sm" disabled={busy} onClick={() => void run({ action: flags.pinned ? 'unpin' : 'pin' })} data-testid="info-pin">
            {flags.pinned ? <PinOffIcon aria-hidden /> : <PinIcon aria-hidden />} {flags.pinned ? 'Unpin from top' : 'Pin to top'}
          </Button>
        )}
        <Button variant="outline" size="sm" disabled={busy} onClick={() => void run({ action: flags.archived ? 'unarchive' : 'archive' })} data-testid="info-archive">
          {flags.archived ? <ArchiveRestoreIcon aria-hidden /> : <ArchiveIcon aria-hidden />} {flags.archived ? 'Move out of archive' : 'Archive'}
        </Button>
      </div>
      <FormError data-testid="preference-error">{error}</FormError>
    </section>
  );
}
