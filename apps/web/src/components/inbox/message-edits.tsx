'use client';

import { MESSAGE_MAX_CHARS, messageEditsSchema, messageSchema, type Message, type MessageEdits } from '@chatpop/protocol';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { api, errorMessage } from '@/lib/api';
import { formatFull } from '@/lib/format';

/**
 * Editing my own message in a conversation, and any member's look at an
 * edited message's earlier versions (docs/api.md, "Edits").
 */

const messagePath = (conversationId: string, messageId: string, rest = '') =>
  `/api/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}${rest}`;

export function EditMessageDialog({ conversationId, message, onClose }: { conversationId: string; message: Message | null; onClose: () => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(message?.content ?? '');
    setError(null);
    setBusy(false);
  }, [message]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!message) return;
    if (text.trim() === message.content) return onClose();
    setBusy(true);
    setError(null);
    try {
      // The room announces the new text (`message:updated`) to every member, this tab included.
      await api.patch(messagePath(conversationId, message.id), { content: text }, { schema: z.object({ message: messageSchema }) });
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <Dialog open={message !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="edit-message-dialog">
        <DialogHeader>
          <DialogTitle>Edit message</DialogTitle>
          <DialogDescription>Everyone in the conversation can see that it was edited, and its earlier text.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex flex-col gap-3">
          <Label htmlFor={id} className="sr-only">
            Message
          </Label>
          <Textarea id={id} value={text} onChange={(e) => setText(e.target.value)} maxLength={MESSAGE_MAX_CHARS} rows={4} autoFocus data-testid="edit-message-input" />
          <FormError data-testid="edit-message-error">{error}</FormError>
          <div className="flex gap-2">
            <Button type="submit" className="flex-1" disabled={busy || !text.trim()} data-testid="edit-message-save">
              {busy && <Spinner label="Saving" />} Save
            </Button>
            <Button type="button" variant="outline" className="flex-1" onClick={onClose}>
              Cancel
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

type HistoryLoad = { status: 'loading' } | { status: 'ready'; edits: MessageEdits } | { status: 'error'; error: string };

export function EditHistorySheet({ conversationId, message, onClose }: { conversationId: string; message: Message | null; onClose: () => void }) {
  const [load, setLoad] = useState<HistoryLoad>({ status: 'loading' });
  useEffect(() => {
    if (!message) return;
    let cancelled = false;
    setLoad({ status: 'loading' });
    api
      .get(messagePath(conversationId, message.id, '/edits'), { schema: messageEditsSchema })
      .then((edits) => !cancelled && setLoad({ status: 'ready', edits }))
      .catch((e: unknown) => !cancelled && setLoad({ status: 'error', error: errorMessage(e) }));
    return () => {
      cancelled = true;
    };
  }, [conversationId, message]);

  return (
    <Sheet open={message !== null} onOpenChange={(open) => !open && onClose()}>
      <SheetContent side="bottom" className="mx-auto max-w-lg gap-3 px-4 pb-6" data-testid="edit-history-sheet">
        <SheetHeader className="px-1 pt-4">
          <SheetTitle>Edit history</SheetTitle>
          <SheetDescription>Every text this message has had, the newest first.</SheetDescription>
        </SheetHeader>
        <div className="overflow-y-auto px-1">
          {load.status === 'loading' ? (
            <div className="flex justify-center py-6 text-muted-foreground">
              <Spinner label="Loading the edit history" />
            </div>
          ) : load.status === 'error' ? (
            <Alert title="Couldn't load the edit history">{load.error}</Alert>
          ) : (
            <ol className="flex flex-col gap-3">
              <li className="rounded-xl bg-muted px-3 py-2" data-testid="edit-version">
                <p className="text-xs font-medium text-muted-foreground">Now{load.edits.message.editedAt ? ` · since ${formatFull(load.edits.message.editedAt)}` : ''}</p>
                <p className="break-words whitespace-pre-wrap">{load.edits.message.content}</p>
              </li>
              {[...load.edits.versions].reverse().map((v) => (
                <li key={v.from} className="rounded-xl px-3 py-2 ring-1 ring-border" data-testid="edit-version">
                  <p className="text-xs font-medium text-muted-foreground">
                    {formatFull(v.from)} – {formatFull(v.until)}
                  </p>
                  <p className="break-words whitespace-pre-wrap">{v.content}</p>
                </li>
              ))}
            </ol>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
