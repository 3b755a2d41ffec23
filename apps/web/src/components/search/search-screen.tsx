'use client';

import {
  SEARCH_QUERY_MAX_CHARS,
  hitHref,
  searchQueryProblem,
  searchResultSchema,
  type SearchHit,
  type SearchHas,
} from '@chatpop/protocol';
import { ArrowLeftIcon, HashIcon, LockKeyholeIcon, MessageCircleIcon, SearchIcon, UsersIcon, XIcon } from 'lucide-react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { InboxLink } from '@/components/inbox/inbox-link';
import { NotificationBell } from '@/components/notifications/notification-bell';
import { PeopleSearch } from '@/components/inbox/people-search';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { Popover, PopoverContent, PopoverTrigger } from '@/components/ui/popover';
import { api, errorMessage } from '@/lib/api';
import { formatFull } from '@/lib/format';
import { useSession } from '@/lib/session';
import { cn } from '@/lib/utils';

/** What the page searches for: all of it lives in the address, so a search can be shared, reloaded and gone back to. */
interface Criteria {
  q: string;
  in: string | null;
  /** The conversation's or chat's name, for the "In …" chip. */
  name: string | null;
  from: string | null;
  fromName: string | null;
  has: SearchHas | null;
  after: string | null;
  before: string | null;
}

function criteriaOf(params: URLSearchParams): Criteria {
  const has = params.get('has');
  const date = (key: string) => {
    const v = params.get(key);
    return v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
  };
  return {
    q: params.get('q') ?? '',
    in: params.get('in'),
    name: params.get('name'),
    from: params.get('from'),
    fromName: params.get('fromName'),
    has: has === 'link' || has === 'media' ? has : null,
    after: date('after'),
    before: date('before'),
  };
}

function addressOf(c: Criteria): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(c)) if (value) params.set(key, value);
  return `/search?${params}`;
}

type Results =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; error: string }
  | { status: 'ready'; hits: SearchHit[]; nextCursor: string | null; loadingMore: boolean; moreError: string | null };

/**
 * Search (SPEC §4): everything the signed-in user may read, newest first,
 * with the words found marked, where each hit was (chat or conversation,
 * author, time), filters, and more hits as the list scrolls. A hit opens its
 * conversation or chat at that message.
 */
export function SearchScreen() {
  const { session } = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const criteria = criteriaOf(new URLSearchParams(params.toString()));
  const key = addressOf(criteria);
  const [draft, setDraft] = useState(criteria.q);
  const [draftError, setDraftError] = useState<string | null>(null);
  const [results, setResults] = useState<Results>({ status: 'idle' });
  const [fromOpen, setFromOpen] = useState(false);
  const inputId = useId();
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (session.status === 'signed-out') router.replace(`/login?next=${encodeURIComponent(`${pathname}?${params.toString()}`)}`);
  }, [session.status, router, pathname, params]);

  // The box follows the address (back and forward).
  useEffect(() => setDraft(criteria.q), [criteria.q]);

  const request = useCallback(
    (cursor: string | null, signal?: AbortSignal) => {
      const query = new URLSearchParams({ q: criteria.q });
      if (criteria.in) query.set('in', criteria.in);
      if (criteria.from) query.set('from', criteria.from);
      if (criteria.has) query.set('has', criteria.has);
      if (criteria.after) query.set('after', criteria.after);
      if (criteria.before) query.set('before', criteria.before);
      if (cursor) query.set('cursor', cursor);
      return api.get(`/api/search?${query}`, { schema: searchResultSchema, signal });
    },
    [key],
  );

  useEffect(() => {
    if (session.status !== 'signed-in' || !criteria.q.trim()) {
      setResults({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    setResults({ status: 'loading' });
    request(null, controller.signal)
      .then((page) => setResults({ status: 'ready', hits: page.hits, nextCursor: page.nextCursor, loadingMore: false, moreError: null }))
      .catch((error: unknown) => !controller.signal.aborted && setResults({ status: 'error', error: errorMessage(error) }));
    return () => controller.abort();
  }, [key, session.status, request]);

  const loadMore = useCallback(() => {
    setResults((current) => {
      if (current.status !== 'ready' || !current.nextCursor || current.loadingMore) return current;
      const cursor = current.nextCursor;
      request(cursor)
        .then((page) =>
          setResults((now) =>
            now.status === 'ready' && now.nextCursor === cursor
              ? { status: 'ready', hits: [...now.hits, ...page.hits], nextCursor: page.nextCursor, loadingMore: false, moreError: null }
              : now,
          ),
        )
        .catch((error: unknown) =>
          setResults((now) => (now.status === 'ready' && now.nextCursor === cursor ? { ...now, loadingMore: false, moreError: errorMessage(error) } : now)),
        );
      return { ...current, loadingMore: true, moreError: null };
    });
  }, [request]);

  // Infinite scroll: the next page when the end of the list comes near.
  const canLoadMore = results.status === 'ready' && results.nextCursor !== null && !results.loadingMore && !results.moreError;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !canLoadMore) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { rootMargin: '400px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [canLoadMore, loadMore]);

  const go = (next: Partial<Criteria>) => router.replace(addressOf({ ...criteria, ...next }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const problem = searchQueryProblem(draft);
    setDraftError(problem?.message ?? null);
    if (!problem) go({ q: draft.trim() });
  }

  const error = draftError ?? (results.status === 'error' ? results.error : null);

  return (
    <PageShell
      actions={
        <>
          {session.status === 'signed-in' && (
            <>
              <InboxLink />
              <NotificationBell />
            </>
          )}
          <Button asChild variant="ghost" size="sm">
            <Link href="/" data-testid="back-home">
              <ArrowLeftIcon aria-hidden /> Home
            </Link>
          </Button>
        </>
      }
    >
      <div className="mx-auto w-full max-w-3xl pt-2 sm:pt-6">
        <h1 className="text-2xl font-bold tracking-tight text-zinc-900 sm:text-3xl">Search</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Your conversations and the chats you are in. Use &ldquo;quotes&rdquo; for a phrase, -word to leave a word out, or to allow either.
        </p>

        <form role="search" aria-label="Messages" onSubmit={submit} className="mt-5 flex flex-col gap-3" noValidate>
          <Label htmlFor={inputId} className="sr-only">
            Search messages
          </Label>
          <div className="flex gap-2">
            <div className="relative min-w-0 flex-1">
              <SearchIcon className="pointer-events-none absolute top-1/2 left-3.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
              <Input
                id={inputId}
                type="search"
                value={draft}
                onChange={(e) => {
                  setDraft(e.target.value);
                  setDraftError(null);
                }}
                maxLength={SEARCH_QUERY_MAX_CHARS}
                placeholder={criteria.name ? `Search in ${criteria.name}` : 'Search messages'}
                autoComplete="off"
                enterKeyHint="search"
                className="pl-10"
                aria-invalid={draftError ? true : undefined}
                aria-describedby={error ? `${inputId}-error` : undefined}
                data-testid="search-input"
                autoFocus
              />
            </div>
            <Button type="submit" data-testid="search-submit">
              Search
            </Button>
          </div>

          <fieldset className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <legend className="sr-only">Filters</legend>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${inputId}-has`}>Has</Label>
              <NativeSelect
                id={`${inputId}-has`}
                value={criteria.has ?? ''}
                onChange={(e) => go({ has: e.target.value === 'link' || e.target.value === 'media' ? e.target.value : null })}
                data-testid="search-has"
              >
                <option value="">Anything</option>
                <option value="link">A link</option>
                <option value="media">Photos</option>
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1.5">
              <span className="text-sm font-medium leading-none" id={`${inputId}-from-label`}>
                From
              </span>
              <Popover open={fromOpen} onOpenChange={setFromOpen}>
                <PopoverTrigger asChild>
                  <Button variant="outline" className="h-11 justify-start truncate" aria-labelledby={`${inputId}-from-label ${inputId}-from-value`} data-testid="search-from">
                    <span id={`${inputId}-from-value`} className="truncate">
                      {criteria.fromName ?? 'Anyone'}
                    </span>
                  </Button>
                </PopoverTrigger>
                <PopoverContent align="start" className="flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2">
                  <PeopleSearch
                    label="Messages from"
                    pick={(person) => {
                      setFromOpen(false);
                      go({ from: person.userId, fromName: person.username });
                    }}
                    chosen={new Set(criteria.from ? [criteria.from] : [])}
                  />
                  {criteria.from && (
                    <Button
                      variant="ghost"
                      size="sm"
                      onClick={() => {
                        setFromOpen(false);
                        go({ from: null, fromName: null });
                      }}
                    >
                      From anyone
                    </Button>
                  )}
                </PopoverContent>
              </Popover>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${inputId}-after`}>From date</Label>
              <Input
                id={`${inputId}-after`}
                type="date"
                value={criteria.after ?? ''}
                max={criteria.before ?? undefined}
                onChange={(e) => go({ after: e.target.value || null })}
                data-testid="search-after"
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${inputId}-before`}>To date</Label>
              <Input
                id={`${inputId}-before`}
                type="date"
                value={criteria.before ?? ''}
                min={criteria.after ?? undefined}
                onChange={(e) => go({ before: e.target.value || null })}
                data-testid="search-before"
              />
            </div>
          </fieldset>

          {criteria.in && (
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="inline-flex items-center gap-1.5 rounded-full bg-violet-100 py-1 pr-1 pl-3 font-medium text-violet-900" data-testid="search-in">
                In {criteria.name ?? 'one conversation'}
                <button
                  type="button"
                  onClick={() => go({ in: null, name: null })}
                  className="flex size-7 items-center justify-center rounded-full outline-none hover:bg-violet-200 focus-visible:ring-2 focus-visible:ring-ring"
                  aria-label="Search everywhere instead"
                  data-testid="search-in-clear"
                >
                  <XIcon className="size-4" aria-hidden />
                </button>
              </span>
            </div>
          )}
          {error && (
            <FormError id={`${inputId}-error`} data-testid="search-error">
              {error}
            </FormError>
          )}
        </form>

        <section aria-label="Results" className="mt-6">
          <p className="sr-only" role="status">
            {results.status === 'loading' ? 'Searching' : results.status === 'ready' ? resultCount(results.hits.length, results.nextCursor !== null) : ''}
          </p>
          {results.status === 'loading' && (
            <div className="flex justify-center py-10 text-muted-foreground">
              <Spinner label="Searching" />
            </div>
          )}
          {results.status === 'ready' && results.hits.length === 0 && (
            <p className="py-10 text-center text-zinc-600" data-testid="search-empty">
              Nothing found{criteria.name ? ` in ${criteria.name}` : ''}. Try other words, or fewer filters.
            </p>
          )}
          {results.status === 'ready' && results.hits.length > 0 && (
            <>
              <ol className="flex flex-col gap-2" data-testid="search-results">
                {results.hits.map((hit) => (
                  <HitItem key={hit.messageId} hit={hit} />
                ))}
              </ol>
              <div ref={sentinel} className="flex flex-col items-center gap-2 py-6">
                {results.loadingMore && <Spinner label="Loading more results" />}
                {results.moreError && <FormError>{results.moreError}</FormError>}
                {results.nextCursor && !results.loadingMore && (
                  <Button variant="outline" onClick={loadMore} data-testid="search-more">
                    {results.moreError ? 'Try again' : 'More results'}
                  </Button>
                )}
                {!results.nextCursor && <p className="text-sm text-zinc-600">That is everything.</p>}
              </div>
            </>
          )}
        </section>
      </div>
    </PageShell>
  );
}

function resultCount(n: number, more: boolean): string {
  if (n === 0) return 'Nothing found';
  return `${n}${more ? ' or more' : ''} ${n === 1 ? 'result' : 'results'}`;
}

const ROOM_ICON = { pop: HashIcon, backroom: LockKeyholeIcon, direct: MessageCircleIcon, group: UsersIcon } as const;
const ROOM_KIND = { pop: 'Chat', backroom: 'Back Room', direct: 'Conversation', group: 'Group' } as const;

function HitItem({ hit }: { hit: SearchHit }) {
  const Icon = ROOM_ICON[hit.room.kind];
  return (
    <li>
      <Link
        href={hitHref(hit)}
        className="block rounded-2xl border border-zinc-200 bg-white p-3.5 shadow-xs outline-none transition-colors hover:border-violet-300 hover:bg-violet-50/40 focus-visible:ring-2 focus-visible:ring-ring sm:p-4"
        data-testid="search-hit"
        data-room-id={hit.room.id}
        data-seq={hit.seq}
      >
        <div className="flex min-w-0 items-center gap-1.5 text-xs text-zinc-600">
          <Icon className="size-3.5 shrink-0" aria-hidden />
          <span className="sr-only">{ROOM_KIND[hit.room.kind]}: </span>
          <span className="truncate font-semibold text-zinc-800" data-testid="search-hit-room">
            {hit.room.name}
            {hit.room.kind === 'backroom' ? ' · Back Room' : ''}
          </span>
          <span aria-hidden>·</span>
          <time dateTime={hit.createdAt} className="shrink-0">
            {formatFull(hit.createdAt)}
          </time>
        </div>
        <p className="mt-1.5 text-[0.9375rem] leading-snug break-words text-zinc-900">
          <span className="font-semibold" data-testid="search-hit-author">
            {hit.author.username ?? 'Someone'}
          </span>
          <span aria-hidden>: </span>
          <span className="sr-only"> wrote: </span>
          <span data-testid="search-hit-text">
            {hit.segments.map((s, i) =>
              s.match ? (
                <mark key={i} className={cn('rounded-sm bg-amber-200 px-0.5 font-semibold text-zinc-950')}>
                  {s.text}
                </mark>
              ) : (
                <span key={i}>{s.text}</span>
              ),
            )}
          </span>
        </p>
      </Link>
    </li>
  );
}
