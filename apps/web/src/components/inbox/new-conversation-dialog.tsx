'use client';

import {
  GROUP_MIN_OTHERS,
  GROUP_NAME_MAX_CHARS,
  USER_SEARCH_MAX_CHARS,
  conversationCreatedSchema,
  userSearchResultSchema,
  type UserSearchResult,
} from '@chatpop/protocol';
import { CheckIcon, MessageCircleIcon, SearchIcon, UsersIcon, XIcon } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { ApiError, api, errorMessage } from '@/lib/api';
import { personName } from '@/lib/inbox';
import type { InboxStore } from '@/lib/inbox-store';
import { cn } from '@/lib/utils';
import { ConversationAvatar } from './conversation-avatar';

type Person = UserSearchResult['users'][number];
type Mode = 'direct' | 'group';

/** Typing pauses this long before the search goes out. */
const SEARCH_DEBOUNCE_MS = 250;

type SearchState =
  | { status: 'idle' }
  | { status: 'searching' }
  | { status: 'done'; users: Person[] }
  | { status: 'error'; error: string; needsUsername: boolean };

/**
 * "New conversation": find people by username or display name, then open a
 * direct conversation with one (the same one again if it exists) or make a
 * group with two or more (SPEC §4).
 */
export function NewConversationDialog({ open, onOpenChange, store }: { open: boolean; onOpenChange: (open: boolean) => void; store: InboxStore }) {
  const router = useRouter();
  const searchId = useId();
  const nameId = useId();
  const [mode, setMode] = useState<Mode>('direct');
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<SearchState>({ status: 'idle' });
  const [picked, setPicked] = useState<Person[]>([]);
  const [groupName, setGroupName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (open) return;
    setMode('direct');
    setQuery('');
    setSearch({ status: 'idle' });
    setPicked([]);
    setGroupName('');
    setError(null);
    setBusy(false);
  }, [open]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setSearch({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    setSearch({ status: 'searching' });
    const timer = setTimeout(() => {
      api
        .get(`/api/users/search?q=${encodeURIComponent(q)}`, { schema: userSearchResultSchema, signal: controller.signal })
        .then((res) => setSearch({ status: 'done', users: res.users }))
        .catch((e: unknown) => {
          if (controller.signal.aborted) return;
          setSearch({ status: 'error', error: errorMessage(e), needsUsername: e instanceof ApiError && e.code === 'USERNAME_REQUIRED' });
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);

  async function openDirect(person: Person) {
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

  const toggle = (person: Person) =>
    setPicked((current) => (current.some((p) => p.userId === person.userId) ? current.filter((p) => p.userId !== person.userId) : [...current, person]));
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

        <div className="flex flex-col gap-2">
          <Label htmlFor={searchId}>{mode === 'group' ? 'Add people' : 'Who do you want to message?'}</Label>
          <div className="relative">
            <SearchIcon className="pointer-events-none absolute top-1/2 left-3.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
            <Input
              id={searchId}
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              maxLength={USER_SEARCH_MAX_CHARS}
              placeholder="Username or name"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              className="pl-10"
              aria-describedby={`${searchId}-status`}
              data-testid="people-search"
            />
          </div>
        </div>

        <div className="-mx-2 min-h-24 overflow-y-auto px-2">
          <p id={`${searchId}-status`} className="text-sm text-muted-foreground" role="status" data-testid="people-search-status">
            {search.status === 'idle'
              ? 'Start typing to find someone.'
              : search.status === 'searching'
                ? ''
                : search.status === 'done'
                  ? search.users.length === 0
                    ? `Nobody goes by “${query.trim()}”.`
                    : ''
                  : ''}
          </p>
          {search.status === 'searching' && (
            <div className="flex justify-center py-4 text-muted-foreground">
              <Spinner label="Searching" />
            </div>
          )}
          {search.status === 'error' && (
            <FormError>
              {search.needsUsername ? (
                <>
                  Choose a username in{' '}
                  <Link href="/account" className="underline">
                    your profile
                  </Link>{' '}
                  first: it is how people find each other here.
                </>
              ) : (
                search.error
              )}
            </FormError>
          )}
          {search.status === 'done' && search.users.length > 0 && (
            <ul className="flex flex-col gap-0.5" aria-label="People found" data-testid="people-results">
              {search.users.map((person) => {
                const chosen = picked.some((p) => p.userId === person.userId);
                return (
                  <li key={person.userId}>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => (mode === 'group' ? toggle(person) : void openDirect(person))}
                      aria-pressed={mode === 'group' ? chosen : undefined}
                      className="flex w-full items-center gap-3 rounded-xl px-2 py-2 text-left outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-60"
                      data-testid="person-result"
                      data-username={person.username}
                    >
                      <ConversationAvatar name={personName(person)} avatarUrl={person.avatarUrl} className="size-10 text-sm" />
                      <span className="min-w-0 flex-1">
                        <span className="block truncate font-medium">{personName(person)}</span>
                        <span className="block truncate text-xs text-muted-foreground">
                          @{person.username}
                          {mode === 'direct' && person.directConversationId && ' · you already talk'}
                        </span>
                      </span>
                      {mode === 'group' ? (
                        <span
                          className={cn('flex size-6 shrink-0 items-center justify-center rounded-full ring-1', chosen ? 'bg-primary text-primary-foreground ring-primary' : 'ring-input')}
                          aria-hidden
                        >
                          {chosen && <CheckIcon className="size-4" />}
                        </span>
                      ) : (
                        <MessageCircleIcon className="size-5 shrink-0 text-muted-foreground" aria-hidden />
                      )}
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>

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
