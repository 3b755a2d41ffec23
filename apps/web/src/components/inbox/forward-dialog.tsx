'use client';

import { FORWARD_TARGETS_MAX, forwardResultSchema, type ConversationSummary, type Message } from '@chatpop/protocol';
import { CheckIcon, ForwardIcon, SearchIcon } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError } from '@/components/ui/misc';
import { ApiError, api, errorMessage } from '@/lib/api';
import { cn, newClientId } from '@/lib/utils';
import { ConversationAvatar } from './conversation-avatar';

/**
 * Forwarding one message (docs/api.md, "Forward"): tick up to
 * FORWARD_TARGETS_MAX conversations of the list, then one request copies it
 * into each. A retry after a failure sends the same client id, so a copy that
 * did go through is not made twice.
 */
export function ForwardDialog({
  conversationId,
  message,
  conversations,
  onClose,
  onForwarded,
}: {
  conversationId: string;
  message: Message | null;
  /** The conversation list as the Inbox holds it. */
  conversations: readonly ConversationSummary[];
  onClose: () => void;
  onForwarded: (count: number) => void;
}) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const clientId = useRef(newClientId());
  useEffect(() => {
    setQuery('');
    setChosen([]);
    setBusy(false);
    setError(null);
    clientId.current = newClientId();
  }, [message]);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? conversations.filter((c) => c.name.toLowerCase().includes(q)) : conversations;
  }, [conversations, query]);
  const full = chosen.length >= FORWARD_TARGETS_MAX;

  function toggle(targetId: string) {
    setError(null);
    setChosen((current) => (current.includes(targetId) ? current.filter((c) => c !== targetId) : current.length >= FORWARD_TARGETS_MAX ? current : [...current, targetId]));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!message || chosen.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(
        `/api/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(message.id)}/forward`,
        { to: chosen, clientId: clientId.current },
        { schema: forwardResultSchema },
      );
      onForwarded(chosen.length);
      onClose();
    } catch (e) {
      // Name the conversation the server refused, where it says which.
      const refused = e instanceof ApiError ? (e.details as { conversationId?: unknown } | undefined)?.conversationId : undefined;
      const name = typeof refused === 'string' ? conversations.find((c) => c.id === refused)?.name : undefined;
      setError(name ? `${name}: ${errorMessage(e)}` : errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <Dialog open={message !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="forward-dialog" className="max-h-[calc(100dvh-2rem)]">
        <DialogHeader>
          <DialogTitle>Forward message</DialogTitle>
          <DialogDescription className="line-clamp-2 break-words">{message?.content}</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex min-h-0 min-w-0 flex-col gap-3">
          <div className="flex flex-col gap-2">
            <Label htmlFor={id}>Send to</Label>
            <div className="relative">
              <SearchIcon className="pointer-events-none absolute top-1/2 left-3.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
              <Input
                id={id}
                type="search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder="Find a conversation"
                autoComplete="off"
                className="pl-10"
                data-testid="forward-search"
              />
            </div>
            <p className="text-xs text-muted-foreground" aria-live="polite" data-testid="forward-count">
              {chosen.length === 0 ? `Choose up to ${FORWARD_TARGETS_MAX} conversations.` : `${chosen.length} of ${FORWARD_TARGETS_MAX} chosen.`}
            </p>
          </div>
          <ul className="-mx-2 flex max-h-72 flex-col gap-0.5 overflow-y-auto px-2" aria-label="Conversations" data-testid="forward-targets">
            {shown.length === 0 && <li className="py-3 text-sm text-muted-foreground">No conversation called “{query.trim()}”.</li>}
            {shown.map((c) => {
              const ticked = chosen.includes(c.id);
              return (
                <li key={c.id}>
                  <button
                    type="button"
                    onClick={() => toggle(c.id)}
                    disabled={busy || (full && !ticked)}
                    aria-pressed={ticked}
                    className="flex w-full items-center gap-3 rounded-xl px-2 py-2 text-left outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-60"
                    data-testid="forward-target"
                    data-conversation-id={c.id}
                    data-name={c.name}
                  >
                    <ConversationAvatar name={c.name} avatarUrl={c.avatarUrl} className="size-10 text-sm" />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate font-medium">{c.name}</span>
                      <span className="block truncate text-xs text-muted-foreground">
                        {c.kind === 'group' ? `Group · ${c.memberCount} members` : 'Direct'}
                        {c.id === conversationId && ' · this conversation'}
                      </span>
                    </span>
                    <span
                      className={cn('flex size-6 shrink-0 items-center justify-center rounded-full ring-1', ticked ? 'bg-primary text-primary-foreground ring-primary' : 'ring-input')}
                      aria-hidden
                    >
                      {ticked && <CheckIcon className="size-4" />}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
          <FormError data-testid="forward-error">{error}</FormError>
          <Button type="submit" disabled={busy || chosen.length === 0} data-testid="forward-submit">
            <ForwardIcon aria-hidden /> {busy ? 'Forwarding…' : chosen.length > 1 ? `Forward to ${chosen.length}` : 'Forward'}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
