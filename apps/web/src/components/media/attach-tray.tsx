'use client';

import { RotateCcwIcon, XIcon } from 'lucide-react';
import type { PhotoUploads } from './use-photo-uploads';

/** The photos chosen for the next message: each with its upload progress, a cancel and, after a failure, a retry. */
export function AttachTray({ photos }: { photos: PhotoUploads }) {
  const failed = photos.items.find((i) => i.status === 'failed');
  return (
    <div className="flex flex-col gap-1">
    <ul className="flex gap-2 overflow-x-auto pt-1.5 pb-1" aria-label="Photos to send" data-testid="attach-tray">
      {photos.items.map((item, i) => {
        const label = `Photo ${i + 1}`;
        return (
          <li key={item.localId} className="relative size-20 shrink-0" data-testid="attach-item" data-status={item.status}>
            <img src={item.previewUrl} alt={label} className="size-full rounded-xl object-cover" />
            {item.status === 'uploading' && (
              <div
                role="progressbar"
                aria-label={`${label} uploading`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(item.progress * 100)}
                className="absolute inset-x-1.5 bottom-1.5 h-1.5 overflow-hidden rounded-full bg-black/40"
                data-testid="attach-progress"
              >
                <div className="h-full bg-white transition-[width]" style={{ width: `${Math.round(item.progress * 100)}%` }} />
              </div>
            )}
            {item.status === 'failed' && (
              <button
                type="button"
                onClick={() => photos.retry(item.localId)}
                className="absolute inset-0 flex flex-col items-center justify-center gap-0.5 rounded-xl bg-red-800/85 px-1 text-center text-[0.6875rem] leading-tight font-semibold text-white outline-none focus-visible:ring-2 focus-visible:ring-ring"
                aria-label={`${label} failed: ${item.error ?? 'upload failed'}. Retry`}
                title={item.error ?? undefined}
                data-testid="attach-retry"
              >
                <RotateCcwIcon className="size-4" aria-hidden />
                Retry
              </button>
            )}
            <button
              type="button"
              onClick={() => photos.cancel(item.localId)}
              className="absolute -top-1.5 -right-1.5 flex size-7 items-center justify-center rounded-full bg-zinc-900 text-white shadow outline-none focus-visible:ring-2 focus-visible:ring-ring"
              aria-label={item.status === 'uploading' ? `Cancel uploading ${label.toLowerCase()}` : `Remove ${label.toLowerCase()}`}
              data-testid="attach-cancel"
            >
              <XIcon className="size-4" aria-hidden />
            </button>
          </li>
        );
      })}
    </ul>
      {failed && (
        <p role="alert" className="px-1 text-xs font-medium text-red-700 dark:text-red-400" data-testid="attach-error">
          {failed.error ?? 'The upload failed.'}
        </p>
      )}
    </div>
  );
}
