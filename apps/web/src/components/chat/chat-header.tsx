'use client';

import type { ChatView, Member, ModerateMemberBody, PresenceEntry, Theme } from '@chatpop/protocol';
import { ArrowLeftIcon, CheckIcon, LinkIcon, LockIcon, PaletteIcon, SearchIcon, ShieldIcon, UsersIcon } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useState, useSyncExternalStore } from 'react';
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { chatUrl, copyText } from '@/lib/share';
import { isMuted, playSound, setMuted, subscribeMuted, unlockAudio } from '@/lib/sounds';
import { THEME_LIST, isTheme, type ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';
import { ParticipantsSheet } from './participants-sheet';

const headerButton =
  'flex size-10 shrink-0 items-center justify-center rounded-xl outline-none transition-colors focus-visible:ring-2 [&_svg]:size-5';

export function ChatHeader({
  chat,
  theme,
  themeChoice,
  onThemeChoice,
  onlineCount,
  memberCount,
  onMembersLoaded,
  online,
  self,
  memberUpdates,
  onModerate,
  onBlock,
  onOpenTools,
  reportCount,
  searchIn = null,
}: {
  chat: ChatView;
  theme: ChatTheme;
  themeChoice: Theme | null;
  onThemeChoice: (theme: Theme | null) => void;
  onlineCount: number;
  memberCount: number;
  onMembersLoaded: (count: number) => void;
  online: PresenceEntry[] | null;
  self: Member | null;
  memberUpdates: Record<string, Member>;
  onModerate: (memberId: string, username: string, body: ModerateMemberBody) => Promise<void>;
  /** Set for a signed-in reader with a username: blocks a participant. */
  onBlock: ((memberId: string) => Promise<void>) | null;
  /** Set for the host and moderators: opens their tools. */
  onOpenTools: (() => void) | null;
  reportCount: number;
  /** A signed-in participant's search within this chat (or its Back Room): the room to search in and its name. */
  searchIn?: { roomId: string; name: string } | null;
}) {
  const [copied, setCopied] = useState(false);
  const muted = useSyncExternalStore(subscribeMuted, isMuted, () => false);
  const [participantsOpen, setParticipantsOpen] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(timer);
  }, [copied]);

  return (
    <header className={cn('relative z-30 shrink-0 pt-[env(safe-area-inset-top)]', theme.header)}>
      {/* With large text the actions wrap below the name rather than crowd it out. */}
      <div className="mx-auto flex min-h-14 max-w-3xl flex-wrap items-center gap-1 px-2">
        <Link href="/" aria-label="ChatPop home" className={cn(headerButton, theme.headerButton)}>
          <ArrowLeftIcon aria-hidden />
        </Link>
        <div className="min-w-28 flex-1 basis-28 px-1">
          <h1 className="flex items-center gap-1.5 text-base leading-tight font-semibold">
            <span className="truncate" data-testid="chat-name">
              {chat.name}
            </span>
            {chat.access === 'private' && <LockIcon className="size-3.5 shrink-0 opacity-70" aria-label="Private chat" role="img" />}
          </h1>
          <p className={cn('flex items-center gap-1.5 text-xs', theme.headerMuted)}>
            <span className="size-2 rounded-full bg-green-500" aria-hidden />
            <span className="whitespace-nowrap" data-testid="online-count">
              {onlineCount} online
            </span>
            {chat.host.username && (
              <span className="hidden min-w-0 truncate sm:inline">
                <span aria-hidden>· </span>hosted by {chat.host.username}
              </span>
            )}
          </p>
        </div>

        <div className="ml-auto flex shrink-0 items-center gap-1">
          {searchIn && (
            <Link
              href={`/search?${new URLSearchParams({ in: searchIn.roomId, name: searchIn.name })}`}
              className={cn(headerButton, theme.headerButton)}
              aria-label="Search in this chat"
              data-testid="chat-search"
            >
              <SearchIcon aria-hidden />
            </Link>
          )}
          <button
            type="button"
            onClick={() => void copyText(chatUrl(chat.code)).then(setCopied)}
            className={cn(headerButton, theme.headerButton)}
            aria-label={copied ? 'Link copied' : 'Copy chat link'}
            data-testid="copy-link"
          >
            {copied ? <CheckIcon aria-hidden /> : <LinkIcon aria-hidden />}
          </button>
          <span className="sr-only" role="status">
            {copied ? 'Link copied' : ''}
          </span>

          <DropdownMenu>
            <DropdownMenuTrigger className={cn(headerButton, theme.headerButton)} aria-label="Theme and sound" data-testid="theme-button">
              <PaletteIcon aria-hidden />
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end" data-testid="theme-menu">
              <DropdownMenuLabel>Theme for you</DropdownMenuLabel>
              <DropdownMenuRadioGroup value={theme.id} onValueChange={(value) => isTheme(value) && onThemeChoice(value)}>
                {THEME_LIST.map((t) => (
                  <DropdownMenuRadioItem key={t.id} value={t.id} data-testid={`theme-option-${t.id}`}>
                    <span className={cn('size-4 rounded-full', t.swatch)} aria-hidden />
                    {t.name}
                    {t.id === chat.settings.theme && <span className="text-xs text-muted-foreground">(chat default)</span>}
                  </DropdownMenuRadioItem>
                ))}
              </DropdownMenuRadioGroup>
              {themeChoice && (
                <>
                  <DropdownMenuSeparator />
                  <DropdownMenuItem onSelect={() => onThemeChoice(null)} data-testid="theme-reset">
                    Use the chat&apos;s default
                  </DropdownMenuItem>
                </>
              )}
              <DropdownMenuSeparator />
              <DropdownMenuCheckboxItem
                checked={!muted}
                onCheckedChange={(on) => {
                  setMuted(!on);
                  if (on) {
                    // A tap: unlocks audio on iOS, and lets the person hear what they turned on.
                    unlockAudio();
                    playSound('message');
                  }
                }}
                onSelect={(e) => e.preventDefault()}
                data-testid="sound-toggle"
              >
                Sounds
              </DropdownMenuCheckboxItem>
            </DropdownMenuContent>
          </DropdownMenu>

          {onOpenTools && (
            <button
              type="button"
              onClick={onOpenTools}
              className={cn(headerButton, 'relative', theme.headerButton)}
              aria-label={reportCount > 0 ? `Host tools, ${reportCount} new reports` : 'Host tools'}
              data-testid="host-tools-button"
            >
              <ShieldIcon aria-hidden />
              {reportCount > 0 && (
                <span className="absolute top-1 right-1 flex min-w-4 items-center justify-center rounded-full bg-red-600 px-1 text-[0.625rem] font-bold text-white" aria-hidden>
                  {reportCount}
                </span>
              )}
            </button>
          )}

          <button
            type="button"
            onClick={() => setParticipantsOpen(true)}
            className={cn(headerButton, 'w-auto gap-1 px-2.5 text-sm font-medium', theme.headerButton)}
            aria-label={`Participants (${memberCount})`}
            data-testid="participants-button"
          >
            <UsersIcon aria-hidden />
            <span aria-hidden>{memberCount}</span>
          </button>
        </div>
      </div>
      <ParticipantsSheet
        open={participantsOpen}
        onOpenChange={setParticipantsOpen}
        chat={chat}
        online={online}
        onLoaded={onMembersLoaded}
        self={self}
        updates={memberUpdates}
        onModerate={onModerate}
        onBlock={onBlock}
      />
    </header>
  );
}
