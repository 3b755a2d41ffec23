'use client';

import { meResponseSchema, type PresenceStatus, type PublicUser } from '@chatpop/protocol';
import { UserRoundCogIcon } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { api, errorMessage } from '@/lib/api';
import { personName } from '@/lib/inbox';
import { MY_STATUS_CHOICES } from '@/lib/presence';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';
import { ConversationAvatar } from './conversation-avatar';
import { headerButton } from './inbox-chrome';
import { StatusDot } from './presence';

/**
 * My own status, from the Inbox's header (SPEC §3/§4): online, away, busy or
 * appear offline, as the profile sets it, and a way to the profile's privacy
 * switches ("Hide last seen").
 */
export function StatusMenu({ user, theme, onChanged }: { user: PublicUser; theme: ChatTheme; onChanged: (user: PublicUser) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const name = user.displayName?.trim() || user.username || 'Me';
  const current = MY_STATUS_CHOICES.find((c) => c.value === user.status)!;

  const choose = async (status: PresenceStatus) => {
    if (status === user.status) return;
    setSaving(true);
    setError(null);
    try {
      const { user: next } = await api.patch('/api/me', { status }, { schema: meResponseSchema });
      onChanged(next);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        className={cn(headerButton, theme.headerButton, 'relative')}
        aria-label={`Your status: ${current.label}`}
        data-testid="my-status-button"
        data-status={user.status}
        disabled={saving}
      >
        <ConversationAvatar name={personName({ displayName: user.displayName, username: name })} avatarUrl={user.avatarUrl} className="size-8 text-xs" />
        <StatusDot status={user.status} className="absolute right-1 bottom-1 size-3 ring-2 ring-background" />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64" data-testid="my-status-menu">
        <DropdownMenuLabel>Your status</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={user.status} onValueChange={(value) => void choose(value as PresenceStatus)}>
          {MY_STATUS_CHOICES.map((choice) => (
            <DropdownMenuRadioItem key={choice.value} value={choice.value} data-testid={`my-status-${choice.value}`}>
              <StatusDot status={choice.value} />
              <span className="flex flex-col">
                <span>{choice.label}</span>
                <span className="text-xs text-muted-foreground">{choice.help}</span>
              </span>
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
        {error && (
          <p role="alert" className="px-2 py-1 text-xs text-destructive">
            {error}
          </p>
        )}
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/account" data-testid="my-status-profile">
            <UserRoundCogIcon aria-hidden /> Profile and privacy
          </Link>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
