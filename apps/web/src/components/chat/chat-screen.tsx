'use client';

import { myParticipationSchema, type ChatView, type JoinResponse, type Theme } from '@chatpop/protocol';
import { BanIcon, MessageSquareOffIcon } from 'lucide-react';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Alert, Spinner } from '@/components/ui/misc';
import { ThemeScope } from '@/components/ui/theme-scope';
import { ApiError, api, chatPath, errorMessage } from '@/lib/api';
import { chatWithViewerSchema, type Participation, type Viewer } from '@/lib/chat-api';
import { normalizeChatCode } from '@/lib/chat-code';
import { useSession } from '@/lib/session';
import { applyThemeColor, getTheme, loadThemeChoice, migrateLegacyTheme, rememberThemeColor, saveThemeChoice, type ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';
import { AccessGate } from './access-gate';
import { ChatView as ChatRoomView } from './chat-view';

type Phase =
  | { kind: 'loading' }
  | { kind: 'not-found' }
  | { kind: 'private' }
  | { kind: 'banned'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; chat: ChatView; viewer: Viewer };

export function ChatScreen({
  code,
  created,
  paymentId = null,
  at = null,
}: {
  code: string;
  created: boolean;
  paymentId?: string | null;
  /** A link to one message (`?at=<seq>`, `&room=backroom` for the Back Room's). */
  at?: { seq: number; backroom: boolean } | null;
}) {
  const valid = normalizeChatCode(code) === code;
  const [phase, setPhase] = useState<Phase>(valid ? { kind: 'loading' } : { kind: 'not-found' });
  const [participation, setParticipation] = useState<Participation | null>(null);
  const [participationLoaded, setParticipationLoaded] = useState(false);
  const [themeChoice, setThemeChoice] = useState<Theme | null>(null);
  const { session } = useSession();

  const loadParticipation = useCallback(async (): Promise<Participation | null> => {
    const res = await api.get(chatPath(code, '/me'), { schema: myParticipationSchema });
    return res.member && res.token ? { member: res.member, token: res.token } : null;
  }, [code]);

  const enter = useCallback(
    async (chat: ChatView, viewer: Viewer) => {
      setPhase({ kind: 'ready', chat, viewer });
      try {
        setParticipation(await loadParticipation());
      } catch {
        // Not knowing means read-only for now; joining again returns the same participation.
        setParticipation(null);
      }
      setParticipationLoaded(true);
    },
    [loadParticipation],
  );

  const load = useCallback(async () => {
    setPhase({ kind: 'loading' });
    try {
      const { chat, viewer } = await api.get(chatPath(code), { schema: chatWithViewerSchema });
      await enter(chat, viewer);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'PRIVATE_CHAT') setPhase({ kind: 'private' });
      else if (error instanceof ApiError && error.code === 'BANNED') setPhase({ kind: 'banned', message: error.message });
      else if (error instanceof ApiError && (error.status === 404 || error.code === 'VALIDATION_FAILED')) setPhase({ kind: 'not-found' });
      else setPhase({ kind: 'error', message: errorMessage(error) });
    }
  }, [code, enter]);

  useEffect(() => {
    if (!valid) return;
    void load();
  }, [valid, load]);

  // The participant's own theme for this chat, remembered on this device; a link may
  // carry one too (`?theme=dark-mode`, or the seed's legacy design1/2/3), which is then remembered.
  useEffect(() => {
    const fromLink = migrateLegacyTheme(new URLSearchParams(window.location.search).get('theme'));
    if (fromLink) saveThemeChoice(code, fromLink);
    setThemeChoice(fromLink ?? loadThemeChoice(code));
  }, [code]);

  const chat = phase.kind === 'ready' ? phase.chat : null;
  const theme: ChatTheme = getTheme(themeChoice ?? chat?.settings.theme);

  useEffect(() => {
    applyThemeColor(theme.themeColor);
    // Remembered for the next visit's first paint (see the script in app/chat/layout.tsx).
    rememberThemeColor(code, theme.themeColor, theme.type);
  }, [code, theme.themeColor, theme.type]);

  useEffect(() => {
    document.title = chat ? `${chat.name} · ChatPop` : 'Chat · ChatPop';
  }, [chat]);

  const chooseTheme = useCallback(
    (next: Theme | null) => {
      saveThemeChoice(code, next);
      setThemeChoice(next);
    },
    [code],
  );

  const onChatUpdated = useCallback((next: ChatView) => {
    setPhase((p) => (p.kind === 'ready' ? { ...p, chat: { ...next, accessCode: next.accessCode ?? (next.access === 'private' ? p.chat.accessCode : undefined) } } : p));
  }, []);

  const onJoined = useCallback((res: JoinResponse) => {
    setParticipation({ member: res.member, token: res.token });
    setPhase((p) => (p.kind === 'ready' ? { ...p, chat: res.chat } : p));
  }, []);

  const refreshToken = useCallback(async () => (await loadParticipation())?.token ?? null, [loadParticipation]);

  const frame = useMemo(
    () => cn('chat-viewport fixed inset-0 flex h-dvh flex-col overflow-hidden overscroll-none', theme.scope, theme.frame),
    [theme],
  );

  if (phase.kind === 'ready' && participationLoaded) {
    return (
      <ThemeScope className={theme.scope}>
        <div className={frame}>
          <ChatRoomView
            chat={phase.chat}
            viewer={phase.viewer}
            participation={participation}
            user={session.status === 'signed-in' ? session.user : null}
            theme={theme}
            themeChoice={themeChoice}
            onThemeChoice={chooseTheme}
            onJoined={onJoined}
            onChatUpdated={onChatUpdated}
            refreshToken={refreshToken}
            created={created}
            paymentId={paymentId}
            at={at}
          />
        </div>
      </ThemeScope>
    );
  }

  return (
    <ThemeScope className={theme.scope}>
      <div className={frame}>
        <main className="flex flex-1 items-center justify-center overflow-y-auto p-4">
          {phase.kind === 'loading' || phase.kind === 'ready' ? (
            <div className="flex flex-col items-center gap-3 text-muted-foreground" data-testid="chat-loading">
              <Spinner label="Loading the chat" />
            </div>
          ) : phase.kind === 'private' ? (
            <AccessGate code={code} onGranted={({ chat: c, viewer }) => void enter(c, viewer)} />
          ) : phase.kind === 'banned' ? (
            <div role="alert" className="flex max-w-sm flex-col items-center gap-3 text-center" data-testid="chat-banned">
              <BanIcon className="size-10 text-red-700 dark:text-red-400" aria-hidden />
              <h1 className="text-xl font-semibold">You can’t take part in this chat</h1>
              <p className="text-sm text-muted-foreground" data-testid="chat-banned-reason">
                {phase.message} The host or a moderator removed you; signing in or out does not change that.
              </p>
              <Button asChild variant="outline">
                <Link href="/">Go to ChatPop</Link>
              </Button>
            </div>
          ) : phase.kind === 'not-found' ? (
            <div className="flex max-w-sm flex-col items-center gap-3 text-center" data-testid="chat-not-found">
              <MessageSquareOffIcon className="size-10 text-muted-foreground" aria-hidden />
              <h1 className="text-xl font-semibold">Chat not found</h1>
              <p className="text-sm text-muted-foreground">
                There is no chat at <span className="font-mono">{code}</span>. Check the link, or ask the host for a new one.
              </p>
              <Button asChild variant="outline">
                <Link href="/">Go to ChatPop</Link>
              </Button>
            </div>
          ) : (
            <Alert
              title="Couldn't open this chat"
              className="w-full max-w-sm"
              action={
                <Button onClick={() => void load()} variant="outline" size="sm" data-testid="chat-retry">
                  Try again
                </Button>
              }
            >
              <span data-testid="chat-error">{phase.message}</span>
            </Alert>
          )}
        </main>
      </div>
    </ThemeScope>
  );
}
