'use client';

import { mediaPath, type Attachment, type MediaVariant, type Message } from '@chatpop/protocol';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { PhotoViewer } from './photo-viewer';

interface MediaContextValue {
  /** Where to load a photo's variant from; null while the room's media key is still on its way. */
  urlFor(attachment: Attachment, variant: MediaVariant): string | null;
  /** Opens the viewer; focus goes back to `opener` when it closes. */
  open(message: Message, index: number, opener?: HTMLElement | null): void;
}

const MediaContext = createContext<MediaContextValue | null>(null);

export function useMedia(): MediaContextValue | null {
  return useContext(MediaContext);
}

/** How often a held media key is renewed (keys last an hour: docs/api.md, "Media"). */
const KEY_RENEW_MS = 20 * 60_000;
const KEY_RETRY_MS = 1_000;

/**
 * The room's media key for drawing photos, when the room needs one (anything
 * but a public pop chat): asked for once joined, renewed before it expires.
 */
export function useMediaKey(fetchKey: (() => Promise<string>) | null, needed: boolean): string | null {
  const [key, setKey] = useState<string | null>(null);
  useEffect(() => {
    if (!needed || !fetchKey) return;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      fetchKey()
        .then((k) => {
          if (!stopped) setKey(k);
        })
        .catch(() => {
          if (!stopped) retry = setTimeout(load, KEY_RETRY_MS);
        });
    };
    load();
    const renew = setInterval(load, KEY_RENEW_MS);
    return () => {
      stopped = true;
      clearInterval(renew);
      clearTimeout(retry);
    };
  }, [fetchKey, needed]);
  return key;
}

/**
 * Photos of one room: how their URLs are made (public pop chats: plain,
 * cacheable; every other room: with the member's media key), the previews
 * of photos this tab uploaded, and the one full-screen viewer.
 */
export function MediaProvider({
  publicRoom,
  mediaKey,
  localPreview,
  children,
}: {
  publicRoom: boolean;
  mediaKey: string | null;
  localPreview?: (attachmentId: string) => string | null;
  children: ReactNode;
}) {
  const [viewing, setViewing] = useState<{ message: Message; index: number; opener: HTMLElement | null } | null>(null);
  const urlFor = useCallback(
    (a: Attachment, variant: MediaVariant) => {
      const local = localPreview?.(a.id);
      if (local) return local;
      if (publicRoom) return mediaPath(a.id, variant);
      return mediaKey ? `${mediaPath(a.id, variant)}?key=${encodeURIComponent(mediaKey)}` : null;
    },
    [publicRoom, mediaKey, localPreview],
  );
  const open = useCallback((message: Message, index: number, opener?: HTMLElement | null) => setViewing({ message, index, opener: opener ?? null }), []);
  const value = useMemo(() => ({ urlFor, open }), [urlFor, open]);
  return (
    <MediaContext.Provider value={value}>
      {children}
      <PhotoViewer
        message={viewing?.message ?? null}
        index={viewing?.index ?? 0}
        onIndex={(index) => setViewing((v) => (v ? { ...v, index } : v))}
        onClose={() => setViewing(null)}
        returnFocusTo={viewing?.opener ?? null}
        urlFor={urlFor}
      />
    </MediaContext.Provider>
  );
}
