'use client';

import type { Theme } from '@chatpop/protocol';
import { ArrowLeftIcon, PaletteIcon } from 'lucide-react';
import Link from 'next/link';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { THEME_LIST, isTheme, type ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';

export const headerButton =
  'flex size-10 shrink-0 items-center justify-center rounded-xl outline-none transition-colors focus-visible:ring-2 [&_svg]:size-5';

export function ThemeMenu({ theme, onChoose }: { theme: ChatTheme; onChoose: (theme: Theme) => void }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger className={cn(headerButton, theme.headerButton)} aria-label="Theme" data-testid="inbox-theme-button">
        <PaletteIcon aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" data-testid="inbox-theme-menu">
        <DropdownMenuLabel>Theme for your Inbox</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={theme.id} onValueChange={(value) => isTheme(value) && onChoose(value)}>
          {THEME_LIST.map((t) => (
            <DropdownMenuRadioItem key={t.id} value={t.id} data-testid={`inbox-theme-${t.id}`}>
              <span className={cn('size-4 rounded-full', t.swatch)} aria-hidden />
              {t.name}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** The back arrow of a conversation on a phone. */
export function BackToList({ theme }: { theme: ChatTheme }) {
  return (
    <Link href="/inbox" aria-label="Back to your conversations" className={cn(headerButton, 'md:hidden', theme.headerButton)} data-testid="back-to-list">
      <ArrowLeftIcon aria-hidden />
    </Link>
  );
}
