'use client';

import type { PublicUser, Theme } from '@chatpop/protocol';
import { MessagesSquareIcon, SearchIcon, SquarePenIcon, UsersIcon, WifiOffIcon } from 'lucide-react';
import Link from 'next/link';
import { useParams, usePathname, useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LogoMark } from '@/components/site/logo';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { ThemeScope } from '@/components/ui/theme-scope';
import { useSession } from '@/lib/session';
import { applyThemeColor, getTheme, loadThemeChoice, saveThemeChoice, type ChatTheme } from '@/lib/themes';
import { useInbox } from '@/lib/use-inbox';
import { cn } from '@/lib/utils';
import { ArchiveList, ConversationList, InboxDashboard } from './conversation-list';
import { ConversationView } from './conversation-view';
import { NotificationBell } from '@/components/notifications/notification-bell';
import { ThemeMenu, headerButton } from './inbox-chrome';
import { NewConversationDialog } from './new-conversation-dialog';
import { StatusMenu } from './status-menu';

/** The Inbox's theme is the person's own choice on this device (themes as in pop chats). */
const THEME_KEY = 'inbox';

/**
 * `/inbox` and `/inbox/:id` (SPEC §4): the conversation list with the
 * dashboard's counts and, beside it on a desktop or in its place on a phone,
 * the open conversation. Lives in the route's layout, so moving between
 * conversations keeps the list, its connection and its scroll position.
 */
export function InboxScreen({ children }: { children?: ReactNode }) {
  const params = useParams<{ id?: string }>();
  const openId = typeof params.id === 'string' ? decodeURIComponent(params.id) : null;
  const router = useRouter();
  const pathname = usePathname();
  const { session, reload: reloadSession } = useSession();
  const signedIn = session.status === 'signed-in';
  const { store, snapshot } = useInbox(signedIn);
  const [newOpen, setNewOpen] = useState(false);
  const [showArchive, setShowArchive] = useState(false);
  // My status as I last set it here, until the session says so too.
  const [meNow, setMeNow] = useState<PublicUser | null>(null);
  const me = meNow ?? session.user;
  const myId = session.user?.id ?? null;
  useEffect(() => store?.setMe(myId), [store, myId]);
  const openArchive = useCallback(() => {
    setShowArchive(true);
    if (store && store.getSnapshot().archive.status !== 'ready') void store.loadArchive();
  }, [store]);
  const [themeChoice, setThemeChoice] = useState<Theme | null>(null);

  useEffect(() => setThemeChoice(loadThemeChoice(THEME_KEY)), []);
  const theme = getTheme(themeChoice);
  const chooseTheme = useCallback((next: Theme) => {
    saveThemeChoice(THEME_KEY, next);
    setThemeChoice(next);
  }, []);
  useEffect(() => applyThemeColor(theme.themeColor), [theme.themeColor]);

  useEffect(() => {
    if (session.status === 'signed-out') router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [session.status, router, pathname]);

  const openRow = useMemo(
    () =>
      openId
        ? (snapshot.conversations.find((c) => c.id === openId) ?? snapshot.archive.conversations.find((c) => c.id === openId) ?? snapshot.loose[openId] ?? null)
        : null,
    [snapshot.conversations, snapshot.archive.conversations, snapshot.loose, openId],
  );
  const unread = snapshot.summary?.unread ?? 0;
  useEffect(() => {
    const base = openRow ? `${openRow.name} · Inbox` : 'Inbox';
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${base} · ChatPop`;
  }, [openRow, unread]);

  const frame = cn('chat-viewport fixed inset-0 flex h-dvh overflow-hidden overscroll-none', theme.scope, theme.frame);

  if (!signedIn) {
    return (
      <ThemeScope className={theme.scope}>
        <div className={frame}>
          <main className="flex flex-1 items-center justify-center p-4">
            {session.status === 'unknown' ? (
              <Alert title="Can't reach the server" className="w-full max-w-sm">
                {session.error}
              </Alert>
            ) : (
              <Spinner label="Loading your Inbox" />
            )}
          </main>
        </div>
        {children}
      </ThemeScope>
    );
  }

  return (
    <ThemeScope className={theme.scope}>
      <div className={frame}>
        {/* The list: the page's main content on its own, the navigation beside an open conversation. */}
        <div
          role={openId ? 'navigation' : 'main'}
          aria-label={openId ? 'Conversations' : undefined}
          className={cn('min-h-0 min-w-0 flex-col md:flex md:w-[22rem] md:shrink-0 md:border-r lg:w-96', openId ? 'hidden' : 'flex flex-1 md:flex-none')}
          data-testid="inbox-sidebar"
        >
          <header className={cn('shrink-0 pt-[env(safe-area-inset-top)]', theme.header)}>
            <div className="flex h-14 items-center gap-1 px-2">
              <Link href="/" aria-label="ChatPop home" className={cn(headerButton, theme.headerButton)}>
                <LogoMark className="size-8" />
              </Link>
              <h1 className="min-w-0 flex-1 truncate px-1 text-lg font-bold" data-testid="inbox-title">
                Inbox
              </h1>
              <Link href="/search" aria-label="Search messages" className={cn(headerButton, theme.headerButton)} data-testid="inbox-search-link">
                <SearchIcon aria-hidden />
              </Link>
              <ThemeMenu theme={theme} onChoose={chooseTheme} />
              {me && <NotificationBell className={cn(headerButton, theme.headerButton)} />}
              {me && (
                <StatusMenu
                  user={me}
                  theme={theme}
                  onChanged={(user) => {
                    setMeNow(user);
                    void reloadSession();
                  }}
                />
              )}
              <Link href="/contacts" aria-label="Contacts" className={cn(headerButton, theme.headerButton)} data-testid="contacts-link">
                <UsersIcon aria-hidden />
              </Link>
              <button
                type="button"
                onClick={() => setNewOpen(true)}
                className={cn(headerButton, theme.headerButton)}
                aria-label="New conversation"
                data-testid="new-conversation-button"
              >
                <SquarePenIcon aria-hidden />
              </button>
            </div>
          </header>
          {snapshot.connection === 'connecting' && snapshot.status === 'ready' && (
            <p role="status" className={cn('flex shrink-0 items-center justify-center gap-2 px-4 py-1 text-xs font-medium', theme.banner)} data-testid="inbox-reconnecting">
              <WifiOffIcon className="size-3.5" aria-hidden /> Reconnecting…
            </p>
          )}
          <div className="min-h-0 flex-1 overflow-y-auto overscroll-contain">
            {showArchive ? (
              <ArchiveList
                snapshot={snapshot}
                activeId={openId}
                onBack={() => setShowArchive(false)}
                onRetry={() => void store?.loadArchive()}
                onLoadMore={() => void store?.loadMoreArchive()}
              />
            ) : (
              <>
                {!snapshot.needsUsername && <InboxDashboard summary={snapshot.summary} />}
                <ConversationList
                  snapshot={snapshot}
                  activeId={openId}
                  theme={theme}
                  onNew={() => setNewOpen(true)}
                  onRetry={() => void store?.reload()}
                  onLoadMore={() => void store?.loadMore()}
                  onOpenArchive={openArchive}
                />
              </>
            )}
          </div>
        </div>

        <div className={cn('min-h-0 min-w-0 flex-1 flex-col', openId ? 'flex' : 'hidden md:flex')}>
          {openId && store ? (
            <ConversationView
              key={openId}
              id={openId}
              row={openRow}
              store={store}
              presence={snapshot.presence}
              theme={theme}
              onChooseTheme={chooseTheme}
              removed={snapshot.removed[openId] ?? null}
            />
          ) : (
            <NothingOpen theme={theme} onNew={() => setNewOpen(true)} />
          )}
        </div>
      </div>
      {store && <NewConversationDialog open={newOpen} onOpenChange={setNewOpen} store={store} />}
      {children}
    </ThemeScope>
  );
}

function NothingOpen({ theme, onNew }: { theme: ChatTheme; onNew: () => void }) {
  return (
    <section aria-label="No conversation open" className={cn('flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center', theme.messagesArea)}>
      <span className={cn('flex size-16 items-center justify-center rounded-3xl', theme.systemText)}>
        <MessagesSquareIcon className="size-8" aria-hidden />
      </span>
      <h2 className="text-lg font-semibold">Your conversations</h2>
      <p className="max-w-sm text-sm text-muted-foreground">Choose a conversation on the left, or start a new one with someone you know on ChatPop.</p>
      <Button onClick={onNew} variant="outline">
        <SquarePenIcon aria-hidden /> New conversation
      </Button>
    </section>
  );
}
