'use client';

import { USER_SEARCH_MAX_CHARS, userSearchResultSchema, type UserSearchResult } from '@chatpop/protocol';
import { CheckIcon, MessageCircleIcon, SearchIcon } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useId, useState } from 'react';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { ApiError, api, errorMessage } from '@/lib/api';
import { personName } from '@/lib/inbox';
import { cn } from '@/lib/utils';
import { ConversationAvatar } from './conversation-avatar';

export type FoundPerson = UserSearchResult['users'][number];

/** Typing pauses this long before the search goes out. */
const SEARCH_DEBOUNCE_MS = 250;

type SearchState =
  | { status: 'idle' }
  | { status: 'searching' }
  | { status: 'done'; users: FoundPerson[] }
  | { status: 'error'; error: string; needsUsername: boolean };

/**
 * People search by username or display name (`GET /api/users/search`),
 * debounced, each result a button: `pick` opens a conversation with them, or
 * (with `chosen`) ticks them for a group.
 */
export function PeopleSearch({
  label,
  pick,
  chosen,
  disabled = false,
  hide,
}: {
  label: string;
  pick: (person: FoundPerson) => void;
  /** Choosing several: who is ticked. Without it, a pick opens a conversation. */
  chosen?: ReadonlySet<string>;
  disabled?: boolean;
  /** People not to offer (already in the group). */
  hide?: ReadonlySet<string>;
}) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<SearchState>({ status: 'idle' });

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

  const users = search.status === 'done' ? search.users.filter((u) => !hide?.has(u.userId)) : [];
  const nobody = chosen || hide ? 'Nobody to add goes by' : 'Nobody goes by';
  const status = search.status === 'idle' ? 'Start typing to find someone.' : search.status === 'done' && users.length === 0 ? `${nobody} “${query.trim()}”.` : '';

  return (
    <>
      <div className="flex flex-col gap-2">
        <Label htmlFor={id}>{label}</Label>
        <div className="relative">
          <SearchIcon className="pointer-events-none absolute top-1/2 left-3.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            id={id}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            maxLength={USER_SEARCH_MAX_CHARS}
            placeholder="Username or name"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            className="pl-10"
            aria-describedby={`${id}-status`}
            data-testid="people-search"
          />
        </div>
      </div>
      <div className="-mx-2 min-h-24 overflow-y-auto px-2">
        <p id={`${id}-status`} className="text-sm text-muted-foreground" role="status" data-testid="people-search-status">
          {status}
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
        {users.length > 0 && (
          <ul className="flex flex-col gap-0.5" aria-label="People found" data-testid="people-results">
            {users.map((person) => {
              const ticked = chosen?.has(person.userId) ?? false;
              return (
                <li key={person.userId}>
                  <button
                    type="button"
                    disabled={disabled}
                    onClick={() => pick(person)}
                    aria-pressed={chosen ? ticked : undefined}
                    className="flex w-full items-center gap-3 rounded-xl px-2 py-2 text-left outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-60"
                    data-testid="person-result"
                    data-username={person.username}
                  >
                    <ConversationAvatar name={personName(person)} avatarUrl={person.avatarUrl} className="size-10 text-sm" />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate font-medium">{personName(person)}</span>
                      <span className="block truncate text-xs text-muted-foreground">
                        @{person.username}
                        {!chosen && person.directConversationId && ' · you already talk'}
                      </span>
                    </span>
                    {chosen ? (
                      <span
                        className={cn('flex size-6 shrink-0 items-center justify-center rounded-full ring-1', ticked ? 'bg-primary text-primary-foreground ring-primary' : 'ring-input')}
                        aria-hidden
                      >
                        {ticked && <CheckIcon className="size-4" />}
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
    </>
  );
}
