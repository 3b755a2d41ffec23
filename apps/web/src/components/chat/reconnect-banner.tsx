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

/**
 * Shown while the socket is down; gone as soon as the room is joined again.
 * After a while (`unreachable`) it stops pretending: the chat cannot be
 * reached, with a button to try now (it keeps trying by itself as well).
 */
export function ReconnectBanner({ theme, unreachable = false, onRetry }: { theme: ChatTheme; unreachable?: boolean; onRetry?: () => void }) {
  const online = useOnline();
  if (unreachable && online) {
    return (
      <div role="alert" className="relative z-30 flex flex-wrap items-center justify-center gap-x-3 gap-y-1 bg-red-700 px-4 py-2 text-sm font-medium text-white" data-testid="unreachable-banner">
        <WifiOffIcon className="size-4" aria-hidden />
        <span>This chat can&apos;t be reached right now. Your connection or the network may be blocking it.</span>
        {onRetry && (
          <button
            type="button"
            onClick={onRetry}
            className="min-h-9 rounded-full bg-white px-4 font-semibold text-red-800 outline-none focus-visible:ring-2 focus-visible:ring-white focus-visible:ring-offset-2 focus-visible:ring-offset-red-700"
            data-testid="unreachable-retry"
          >
            Try again
          </button>
        )}
      </div>
    );
  }
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
