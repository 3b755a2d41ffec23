'use client';

import type { Attachment, MediaVariant, Message } from '@chatpop/protocol';
import { ChevronLeftIcon, ChevronRightIcon, XIcon } from 'lucide-react';
import { Dialog as DialogPrimitive } from 'radix-ui';
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { cn } from '@/lib/utils';
import { placeholderUrl } from './placeholder';

/** A horizontal swipe longer than this moves to the next or previous photo. */
const SWIPE_MIN_PX = 50;

/**
 * The full-screen photo viewer (Radix Dialog: focus kept inside, Escape
 * closes, the page behind hidden from screen readers). Arrow keys, the
 * buttons or a swipe move through the message's album.
 */
export function PhotoViewer({
  message,
  index,
  onIndex,
  onClose,
  urlFor,
  returnFocusTo,
}: {
  message: Message | null;
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
  urlFor: (a: Attachment, variant: MediaVariant) => string | null;
  /** The photo that opened the viewer: focus returns there (a tap may not have focused it). */
  returnFocusTo: HTMLElement | null;
}) {
  // Kept past the close, when the props have already let go of it.
  const returnTo = useRef<HTMLElement | null>(null);
  if (returnFocusTo) returnTo.current = returnFocusTo;
  const photos = message?.attachments ?? [];
  const photo = photos[index] ?? null;
  const swipeFrom = useRef<number | null>(null);
  const author = message?.username ?? 'someone';
  const count = photos.length;
  const go = (step: number) => {
    if (count > 1) onIndex((index + step + count) % count);
  };

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'ArrowRight') {
      e.preventDefault();
      go(1);
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      go(-1);
    }
  }
  function onPointerDown(e: PointerEvent) {
    swipeFrom.current = e.clientX;
  }
  function onPointerUp(e: PointerEvent) {
    const from = swipeFrom.current;
    swipeFrom.current = null;
    if (from === null) return;
    const dx = e.clientX - from;
    if (Math.abs(dx) >= SWIPE_MIN_PX) go(dx < 0 ? 1 : -1);
  }

  const url = photo ? urlFor(photo, 'display') : null;
  const placeholder = photo ? placeholderUrl(photo.placeholder) : undefined;
  const navButton =
    'absolute top-1/2 z-10 flex size-11 -translate-y-1/2 items-center justify-center rounded-full bg-black/60 text-white outline-none hover:bg-black/80 focus-visible:ring-2 focus-visible:ring-white';

  return (
    <DialogPrimitive.Root open={photo !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 z-50 bg-black" />
        <DialogPrimitive.Content
          className="fixed inset-0 z-50 flex flex-col text-white outline-none"
          onKeyDown={onKeyDown}
          data-testid="photo-viewer"
          aria-describedby={undefined}
          onCloseAutoFocus={(e) => {
            const target = returnTo.current;
            if (target?.isConnected) {
              e.preventDefault();
              target.focus();
            }
          }}
        >
          <div className="flex items-center gap-2 px-3 py-2">
            <DialogPrimitive.Title className="min-w-0 flex-1 truncate text-sm font-semibold">
              {count > 1 ? `Photo ${index + 1} of ${count} from ${author}` : `Photo from ${author}`}
            </DialogPrimitive.Title>
            <DialogPrimitive.Close
              className="flex size-11 items-center justify-center rounded-full outline-none hover:bg-white/10 focus-visible:ring-2 focus-visible:ring-white"
              aria-label="Close"
              data-testid="photo-viewer-close"
            >
              <XIcon className="size-6" aria-hidden />
            </DialogPrimitive.Close>
          </div>
          <div className="relative flex min-h-0 flex-1 touch-pan-y items-center justify-center p-2" onPointerDown={onPointerDown} onPointerUp={onPointerUp}>
            {photo && (
              <div
                className="relative max-h-full max-w-full bg-cover bg-center"
                style={{ aspectRatio: `${photo.width} / ${photo.height}`, width: `min(100%, calc((100dvh - 8rem) * ${photo.width / photo.height}))`, backgroundImage: placeholder ? `url(${placeholder})` : undefined }}
              >
                {url && (
                  <img key={photo.id} src={url} alt={`Photo from ${author}`} className="size-full object-contain" draggable={false} data-testid="photo-viewer-image" />
                )}
              </div>
            )}
            {count > 1 && (
              <>
                <button type="button" onClick={() => go(-1)} className={cn(navButton, 'left-3')} aria-label="Previous photo" data-testid="photo-viewer-prev">
                  <ChevronLeftIcon className="size-6" aria-hidden />
                </button>
                <button type="button" onClick={() => go(1)} className={cn(navButton, 'right-3')} aria-label="Next photo" data-testid="photo-viewer-next">
                  <ChevronRightIcon className="size-6" aria-hidden />
                </button>
              </>
            )}
          </div>
          {count > 1 && (
            <p className="pb-4 text-center text-sm tabular-nums" aria-hidden>
              {index + 1} / {count}
            </p>
          )}
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}
