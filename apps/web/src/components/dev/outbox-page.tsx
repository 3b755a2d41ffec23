'use client';

import { outboxSchema, type OutboxMail } from '@chatpop/protocol';
import { InboxIcon, RefreshCwIcon } from 'lucide-react';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { ApiError, api, errorMessage } from '@/lib/api';
import { formatFull } from '@/lib/format';

type State = { status: 'loading' } | { status: 'off' } | { status: 'error'; message: string } | { status: 'ready'; mails: OutboxMail[] };

/** Links in a plain-text mail, made clickable. */
function linkify(text: string): ReactNode[] {
  return text.split(/(https?:\/\/\S+)/g).map((part, i) =>
    /^https?:\/\//.test(part) ? (
      <a key={i} href={part} className="break-all font-medium text-violet-700 underline underline-offset-2" data-testid="outbox-link">
        {part}
      </a>
    ) : (
      part
    ),
  );
}

/**
 * Development and embedded mode only: the mail the server would have sent
 * (password resets, notices), since no SMTP server is configured. Elsewhere
 * the server answers 404 and this page says so.
 */
export function OutboxPage() {
  const [state, setState] = useState<State>({ status: 'loading' });

  const load = useCallback(async () => {
    try {
      const { mails } = await api.get('/api/dev/outbox', { schema: outboxSchema, refresh: false });
      setState({ status: 'ready', mails });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setState({ status: 'off' });
      else setState({ status: 'error', message: errorMessage(err) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <PageShell>
      <div className="mx-auto w-full max-w-3xl pt-2 sm:pt-6">
        <div className="flex items-center justify-between gap-3">
          <div>
            <h1 className="text-2xl font-bold tracking-tight text-zinc-900">Dev outbox</h1>
            <p className="mt-1 text-sm text-zinc-600">Mail the server sent while no SMTP server is configured. Development only.</p>
          </div>
          <Button variant="outline" size="sm" onClick={() => void load()} data-testid="outbox-refresh">
            <RefreshCwIcon aria-hidden /> Refresh
          </Button>
        </div>
        <div className="mt-6">
          {state.status === 'loading' ? (
            <div className="flex justify-center py-12 text-zinc-500">
              <Spinner label="Loading the outbox" />
            </div>
          ) : state.status === 'off' ? (
            <Alert title="The outbox is off" tone="info">
              <span data-testid="outbox-off">It is only on in development or with the embedded database, when no SMTP server is set.</span>
            </Alert>
          ) : state.status === 'error' ? (
            <Alert title="Could not load the outbox">{state.message}</Alert>
          ) : state.mails.length === 0 ? (
            <div className="flex flex-col items-center gap-2 py-12 text-center text-zinc-600" data-testid="outbox-empty">
              <InboxIcon className="size-8" aria-hidden /> No mail yet.
            </div>
          ) : (
            <ul className="flex flex-col gap-4" data-testid="outbox-list">
              {state.mails.map((mail) => (
                <li key={mail.id} className="rounded-2xl border border-zinc-200 bg-white p-4 shadow-sm" data-testid="outbox-mail">
                  <p className="font-semibold text-zinc-900">{mail.subject}</p>
                  <p className="text-xs text-zinc-600">
                    To <span data-testid="outbox-to">{mail.to}</span> · <time dateTime={mail.sentAt}>{formatFull(mail.sentAt)}</time>
                  </p>
                  <p className="mt-3 text-sm whitespace-pre-wrap text-zinc-800">{linkify(mail.text)}</p>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </PageShell>
  );
}
