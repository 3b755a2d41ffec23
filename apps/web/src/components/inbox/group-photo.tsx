'use client';

import { AVATAR_MAX_BYTES, conversationDetailSchema, type ConversationDetail } from '@chatpop/protocol';
import { CameraIcon, Trash2Icon } from 'lucide-react';
import { useRef, useState, type ChangeEvent } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { RawBody, api, errorMessage } from '@/lib/api';

const replySchema = z.object({ conversation: conversationDetailSchema });

/** Change or remove a group's photo, for those who may edit its info. */
export function GroupPhoto({ conversation: c, onChanged, onError }: { conversation: ConversationDetail; onChanged: (c: ConversationDetail) => void; onError: (message: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const path = `/api/conversations/${encodeURIComponent(c.id)}/avatar`;

  async function run(work: () => Promise<{ conversation: ConversationDetail }>) {
    setBusy(true);
    try {
      onChanged((await work()).conversation);
    } catch (error) {
      onError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    if (file.size > AVATAR_MAX_BYTES) {
      onError('That image is larger than 5 MB. Pick a smaller one.');
      return;
    }
    void run(() => api.put(path, new RawBody(file), { schema: replySchema }));
  }

  return (
    <div className="flex gap-1">
      <input ref={input} type="file" accept="image/jpeg,image/png,image/webp,image/gif" className="sr-only" tabIndex={-1} aria-hidden onChange={choose} data-testid="group-photo-input" />
      <Button variant="ghost" size="sm" onClick={() => input.current?.click()} disabled={busy} data-testid="group-photo-choose">
        <CameraIcon aria-hidden /> {c.avatarUrl ? 'Change photo' : 'Add a photo'}
      </Button>
      {c.avatarUrl && (
        <Button variant="ghost" size="sm" onClick={() => void run(() => api.delete(path, { schema: replySchema }))} disabled={busy} data-testid="group-photo-remove">
          <Trash2Icon aria-hidden /> Remove
        </Button>
      )}
    </div>
  );
}
