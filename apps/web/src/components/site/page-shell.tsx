import type { ReactNode } from 'react';
import { cn } from '@/lib/utils';
import { Logo } from './logo';

/** The frame of the pages around the chats: a slim header, centred content. */
export function PageShell({ children, actions, className }: { children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <div className="flex min-h-dvh flex-col bg-gradient-to-b from-violet-50 via-white to-white">
      <header className="mx-auto flex w-full max-w-5xl items-center justify-between gap-3 px-4 py-4 sm:px-6">
        <Logo />
        {actions && <nav className="flex items-center gap-2">{actions}</nav>}
      </header>
      <main className={cn('mx-auto w-full max-w-5xl flex-1 px-4 pb-16 sm:px-6', className)}>{children}</main>
    </div>
  );
}
