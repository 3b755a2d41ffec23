'use client';

import { GROUP_MIN_OTHERS, GROUP_NAME_MAX_CHARS, conversationCreatedSchema } from '@chatpop/protocol';
import { MessageCircleIcon, UsersIcon, XIcon } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { api, errorMessage } from '@/lib/api';
import { personName } from '@/lib/inbox';
import type { InboxStore } from '@/lib/inbox-store';
import { cn } from '@/lib/utils';
import { PeopleSearch, type FoundPerson } from './people-search';

type Mode = 'direct' | 'group';

/**
 * "New conversation": find people by username or display name, then open a
 * direct conversation with one (the same one again if it exists) or make a
 * group with two or more (SPEC §4).
 */
export function NewConversationDialog({ open, onOpenChange, store }: { open: boolean; onOpenChange: (open: boolean) => void; store: InboxStore }) {
  const router = useRouter();
  const nameId = useId();
  const [mode, setMode] = useState<Mode>('direct');
  const [picked, setPicked] = useState<FoundPerson[]>([]);
  const [groupName, setGroupName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (open) return;
    setMode('direct');
    setPicked([]);
    setGroupName('');
    setError(null);
    setBusy(false);
  }, [open]);

  async function openDirect(person: FoundPerson) {
    if (person.directConversationId) {
      onOpenChange(false);
      router.push(`/inbox/${encodeURIComponent(person.directConversationId)}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { conversation } = await api.post('/api/conversations/direct', { userId: person.userId }, { schema: conversationCreatedSchema });
      store.upsert(conversation);
      onOpenChange(false);
      router.push(`/inbox/${encodeURIComponent(conversation.id)}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function createGroup() {
    setBusy(true);
    setError(null);
    try {
      const name = groupName.trim();
      const { conversation } = await api.post(
        '/api/conversations/groups',
        { ...(name ? { name } : {}), memberIds: picked.map((p) => p.userId) },
        { schema: conversationCreatedSchema },
      );
      store.upsert(conversation);
      onOpenChange(false);
      router.push(`/inbox/${encodeURIComponent(conversation.id)}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const toggle = (person: FoundPerson) =>
    setPicked((current) => (current.some((p) => p.userId === person.userId) ? current.filter((p) => p.userId !== person.userId) : [...current, person]));
  const pickedIds = new Set(picked.map((p) => p.userId));
  const missing = Math.max(0, GROUP_MIN_OTHERS - picked.length);

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="flex max-h-[calc(100dvh-2rem)] max-w-lg flex-col gap-4" data-testid="new-conversation-dialog">
        <DialogHeader>
          <DialogTitle>New conversation</DialogTitle>
          <DialogDescription>Find people by their username or display name.</DialogDescription>
        </DialogHeader>

        <div className="grid grid-cols-2 gap-1 rounded-2xl bg-muted p-1" role="group" aria-label="Kind of conversation">
          {(
            [
              { value: 'direct', label: 'Direct', icon: MessageCircleIcon },
              { value: 'group', label: 'Group', icon: UsersIcon },
            ] as const
          ).map((m) => (
            <button
              key={m.value}
              type="button"
              aria-pressed={mode === m.value}
              onClick={() => setMode(m.value)}
              className={cn(
                'flex items-center justify-center gap-2 rounded-xl px-3 py-2 text-sm font-medium outline-none transition-colors focus-visible:ring-2 focus-visible:ring-ring [&_svg]:size-4',
                mode === m.value ? 'bg-background text-foreground shadow-sm' : 'text-muted-foreground hover:text-foreground',
              )}
              data-testid={`mode-${m.value}`}
            >
              <m.icon aria-hidden /> {m.label}
            </button>
          ))}
        </div>

        {mode === 'group' && (
          <div className="flex flex-col gap-2">
            <Label htmlFor={nameId}>Group name (optional)</Label>
            <Input
              id={nameId}
              value={groupName}
              onChange={(e) => setGroupName(e.target.value)}
              maxLength={GROUP_NAME_MAX_CHARS}
              placeholder="Made from the members' names when empty"
              data-testid="group-name-input"
            />
            {picked.length > 0 && (
              <ul className="flex flex-wrap gap-1.5" aria-label="Chosen for the group" data-testid="group-picked">
                {picked.map((p) => (
                  <li key={p.userId}>
                    <button
                      type="button"
                      onClick={() => toggle(p)}
                      className="inline-flex h-8 items-center gap-1 rounded-full bg-primary/15 pr-2 pl-3 text-sm font-medium outline-none hover:bg-primary/25 focus-visible:ring-2 focus-visible:ring-ring"
                      aria-label={`Remove ${personName(p)}`}
                      data-testid="group-picked-person"
                    >
                      {personName(p)} <XIcon className="size-3.5" aria-hidden />
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}

        <PeopleSearch
          label={mode === 'group' ? 'Add people' : 'Who do you want to message?'}
          pick={(person) => (mode === 'group' ? toggle(person) : void openDirect(person))}
          chosen={mode === 'group' ? pickedIds : undefined}
          disabled={busy}
        />

        <FormError data-testid="new-conversation-error">{error}</FormError>
        {mode === 'group' && (
          <Button onClick={() => void createGroup()} disabled={busy || missing > 0} size="lg" data-testid="create-group">
            {busy ? <Spinner label="Creating the group" /> : <UsersIcon aria-hidden />}
            {missing > 0 ? `Choose ${missing} more ${missing === 1 ? 'person' : 'people'}` : `Create group with ${picked.length} people`}
          </Button>
        )}
      </DialogContent>
    </Dialog>
  );
}
