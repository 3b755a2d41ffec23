'use client';

import type { PublicUser } from '@chatpop/protocol';
import { ArrowLeftIcon, MonitorSmartphoneIcon, ReceiptIcon, UserRoundIcon, UsersIcon, WalletIcon } from 'lucide-react';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { InboxLink } from '@/components/inbox/inbox-link';
import { NotificationBell } from '@/components/notifications/notification-bell';
import { SearchLink } from '@/components/search/search-link';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { useSession } from '@/lib/session';
import { cn } from '@/lib/utils';

const TABS = [
  { href: '/account', label: 'Profile', icon: UserRoundIcon, testId: 'tab-profile' },
  { href: '/contacts', label: 'Contacts', icon: UsersIcon, testId: 'tab-contacts' },
  { href: '/account/sessions', label: 'Sessions', icon: MonitorSmartphoneIcon, testId: 'tab-sessions' },
  { href: '/account/earnings', label: 'Earnings', icon: WalletIcon, testId: 'tab-earnings' },
  { href: '/receipts', label: 'Receipts', icon: ReceiptIcon, testId: 'tab-receipts' },
];

/** The frame of the account pages: signed-in only, a tab per page. */
export function AccountShell({
  title,
  children,
  wide = false,
}: {
  title: string;
  children: (user: PublicUser, reload: () => Promise<unknown>) => ReactNode;
  /** Tables (earnings) get the page's full width on a desktop. */
  wide?: boolean;
}) {
  const { session, reload } = useSession();
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (session.status === 'signed-out') router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [session.status, router, pathname]);

  return (
    <PageShell
      actions={
        <>
          {session.status === 'signed-in' && (
            <>
              <SearchLink />
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
      <div className={cn('mx-auto w-full pt-2 sm:pt-6', wide ? 'max-w-4xl' : 'max-w-2xl')}>
        <h1 className="text-2xl font-bold tracking-tight text-zinc-900 sm:text-3xl">{title}</h1>
        <nav aria-label="Account" className="mt-4 flex gap-1 overflow-x-auto rounded-2xl bg-zinc-100 p-1">
          {TABS.map((tab) => {
            const active = pathname === tab.href;
            return (
              <Link
                key={tab.href}
                href={tab.href}
                aria-current={active ? 'page' : undefined}
                data-testid={tab.testId}
                className={cn(
                  'flex flex-1 shrink-0 items-center justify-center gap-2 whitespace-nowrap rounded-xl px-2 py-2 text-sm font-medium outline-none transition-colors focus-visible:ring-2 focus-visible:ring-ring sm:px-3',
                  active ? 'bg-white text-zinc-900 shadow-sm' : 'text-zinc-600 hover:text-zinc-900',
                )}
              >
                <tab.icon className="hidden size-4 sm:block" aria-hidden /> {tab.label}
              </Link>
            );
          })}
        </nav>
        <div className="mt-6 flex flex-col gap-6">
          {session.status === 'signed-in' ? (
            children(session.user, reload)
          ) : session.status === 'unknown' ? (
            <Alert title="Can't reach the server">{session.error}</Alert>
          ) : (
            <div className="flex justify-center py-16 text-zinc-500">
              <Spinner label="Loading your account" />
            </div>
          )}
        </div>
      </div>
    </PageShell>
  );
}

export function Section({ title, description, children, testId }: { title: string; description?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="rounded-3xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-6" data-testid={testId} aria-labelledby={testId ? `${testId}-title` : undefined}>
      <h2 id={testId ? `${testId}-title` : undefined} className="text-base font-semibold text-zinc-900">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-zinc-600">{description}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}
