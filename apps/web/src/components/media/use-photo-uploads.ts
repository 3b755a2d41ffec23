'use client';

import { ALBUM_MAX_PHOTOS, PHOTO_MAX_BYTES, errorBodySchema, uploadResponseSchema, type Attachment } from '@chatpop/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';

export type UploadStatus = 'uploading' | 'done' | 'failed';

export interface PhotoUpload {
  localId: string;
  file: File;
  /** An object URL of the chosen file: the tray's preview, and the photo's image until it is fetched from the server. */
  previewUrl: string;
  /** 0–1. */
  progress: number;
  status: UploadStatus;
  attachment: Attachment | null;
  error: string | null;
}

export interface PhotoUploads {
  items: PhotoUpload[];
  /** Every chosen photo is uploaded (and at least one is). */
  ready: boolean;
  busy: boolean;
  add(files: FileList | File[]): void;
  cancel(localId: string): void;
  retry(localId: string): void;
  /** The uploaded photos, in the order chosen; the tray empties (their previews stay for the sent message). */
  take(): Attachment[];
  /** The local preview of a photo uploaded from this tab, by attachment id. */
  localPreview(attachmentId: string): string | null;
}

let localCounter = 0;

/**
 * The composer's photos (docs/architecture.md, "Media"): each chosen file is
 * uploaded at once with its progress (XMLHttpRequest: fetch reports no upload
 * progress), can be cancelled or retried, and is checked, sized and
 * re-encoded by the server, which decides its type by content.
 */
export function usePhotoUploads(mediaKey: () => Promise<string>): PhotoUploads {
  const [items, setItems] = useState<PhotoUpload[]>([]);
  const requests = useRef(new Map<string, XMLHttpRequest>());
  const previews = useRef(new Map<string, string>());
  const keyRef = useRef(mediaKey);
  keyRef.current = mediaKey;

  const patch = useCallback((localId: string, change: Partial<PhotoUpload>) => {
    setItems((all) => all.map((i) => (i.localId === localId ? { ...i, ...change } : i)));
  }, []);

  const start = useCallback(
    (item: PhotoUpload) => {
      if (item.file.size > PHOTO_MAX_BYTES) {
        patch(item.localId, { status: 'failed', error: `Too large: a photo can be at most ${PHOTO_MAX_BYTES / (1024 * 1024)} MB.` });
        return;
      }
      patch(item.localId, { status: 'uploading', progress: 0, error: null });
      keyRef
        .current()
        .then((key) => {
          const xhr = new XMLHttpRequest();
          requests.current.set(item.localId, xhr);
          xhr.open('POST', `/api/media?key=${encodeURIComponent(key)}`);
          xhr.setRequestHeader('content-type', item.file.type || 'application/octet-stream');
          xhr.setRequestHeader('x-chatpop-csrf', '1');
          xhr.upload.onprogress = (e) => {
            if (e.lengthComputable) patch(item.localId, { progress: e.loaded / e.total });
          };
          xhr.onload = () => {
            requests.current.delete(item.localId);
            let body: unknown = null;
            try {
              body = JSON.parse(xhr.responseText);
            } catch {
              // not JSON
            }
            const ok = uploadResponseSchema.safeParse(body);
            if (xhr.status === 201 && ok.success) {
              previews.current.set(ok.data.attachment.id, item.previewUrl);
              patch(item.localId, { status: 'done', progress: 1, attachment: ok.data.attachment });
              return;
            }
            const err = errorBodySchema.safeParse(body);
            patch(item.localId, { status: 'failed', error: err.success ? err.data.error.message : 'The upload failed. Try again.' });
          };
          xhr.onerror = () => {
            requests.current.delete(item.localId);
            patch(item.localId, { status: 'failed', error: 'The upload failed: no connection. Try again.' });
          };
          xhr.send(item.file);
        })
        .catch((err: unknown) => patch(item.localId, { status: 'failed', error: err instanceof Error ? err.message : 'The upload failed. Try again.' }));
    },
    [patch],
  );

  const add = useCallback(
    (files: FileList | File[]) => {
      const chosen = [...files];
      setItems((all) => {
        const room = ALBUM_MAX_PHOTOS - all.length;
        const fresh = chosen.slice(0, Math.max(0, room)).map((file) => ({
          localId: `p${++localCounter}`,
          file,
          previewUrl: URL.createObjectURL(file),
          progress: 0,
          status: 'uploading' as const,
          attachment: null,
          error: null,
        }));
        queueMicrotask(() => fresh.forEach(start));
        return [...all, ...fresh];
      });
    },
    [start],
  );

  const cancel = useCallback((localId: string) => {
    requests.current.get(localId)?.abort();
    requests.current.delete(localId);
    setItems((all) => {
      const gone = all.find((i) => i.localId === localId);
      if (gone && !gone.attachment) URL.revokeObjectURL(gone.previewUrl);
      return all.filter((i) => i.localId !== localId);
    });
  }, []);

  const retry = useCallback(
    (localId: string) => {
      const item = items.find((i) => i.localId === localId);
      if (item) start(item);
    },
    [items, start],
  );

  const take = useCallback(() => {
    const sent = items.filter((i) => i.attachment).map((i) => i.attachment!);
    setItems([]);
    return sent;
  }, [items]);

  const localPreview = useCallback((id: string) => previews.current.get(id) ?? null, []);

  useEffect(() => {
    const reqs = requests.current;
    const urls = previews.current;
    return () => {
      reqs.forEach((x) => x.abort());
      urls.forEach((u) => URL.revokeObjectURL(u));
    };
  }, []);

  return {
    items,
    ready: items.length > 0 && items.every((i) => i.status === 'done'),
    busy: items.some((i) => i.status === 'uploading'),
    add,
    cancel,
    retry,
    take,
    localPreview,
  };
}
