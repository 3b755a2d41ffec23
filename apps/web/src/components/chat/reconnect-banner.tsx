'use client';

import { RefreshCwIcon, WifiOffIcon } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';

function subscribeOnline(callback: () => void) {
  window.addEventListener('online', callback);
  window.addEventListener('offline', callback);
  return () => {
    window.removeEventListener('online', callback);
    window.removeEventListener('offline', callback);
  };
}

export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}

/** Shown while the socket is down; gone as soon as the room is joined again. */
export function ReconnectBanner({ theme }: { theme: ChatTheme }) {
  const online = useOnline();
  return (
    <div role="status" className={cn('relative z-30 flex items-center justify-center gap-2 px-4 py-1.5 text-sm font-medium', theme.banner)} data-testid="reconnect-banner">
      {online ? (
        <>
          <RefreshCwIcon className="size-4 animate-spin" aria-hidden /> Reconnecting…
        </>
      ) : (
        <>
          <WifiOffIcon className="size-4" aria-hidden /> You&apos;re offline — messages will be sent when you&apos;re back
        </>
      )}
    </div>
  );
}
