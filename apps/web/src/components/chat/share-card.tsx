'use client';

import type { ChatView } from '@chatpop/protocol';
import { CheckIcon, CopyIcon, PartyPopperIcon, Share2Icon, XIcon } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { canShareNatively, chatUrl, copyText, shareLink } from '@/lib/share';

/** Shown to the host right after creating the chat: the link to share (and the access code of a private chat). */
export function ShareCard({ chat, onDismiss }: { chat: ChatView; onDismiss: () => void }) {
  const [url, setUrl] = useState(`/chat/${chat.code}`);
  const [copied, setCopied] = useState(false);
  const [native, setNative] = useState(false);

  useEffect(() => {
    setUrl(chatUrl(chat.code));
    setNative(canShareNatively());
  }, [chat.code]);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(timer);
  }, [copied]);

  return (
    <section
      className="relative mx-auto my-4 flex w-full max-w-md flex-col gap-3 rounded-3xl border border-border bg-background p-5 text-foreground shadow-lg"
      aria-labelledby="share-title"
      data-testid="share-card"
    >
      <button
        type="button"
        onClick={onDismiss}
        className="absolute top-3 right-3 rounded-lg p-1 text-muted-foreground outline-none hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
        aria-label="Dismiss"
      >
        <XIcon className="size-4" aria-hidden />
      </button>
      <h2 id="share-title" className="flex items-center gap-2 font-semibold">
        <PartyPopperIcon className="size-5 text-primary" aria-hidden /> Your chat is live
      </h2>
      <p className="text-sm text-muted-foreground">Share this link — anyone with it can join with just a username.</p>
      <div className="flex items-center gap-2 rounded-2xl bg-muted p-1.5 pl-3">
        <a href={url} className="min-w-0 flex-1 truncate font-mono text-sm underline-offset-4 hover:underline" data-testid="chat-link">
          {url}
        </a>
        <Button size="sm" onClick={() => void copyText(url).then(setCopied)} data-testid="copy-chat-link">
          {copied ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />}
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      {native && (
        <Button variant="secondary" onClick={() => void shareLink(chat.name, url)} data-testid="share-chat-link">
          <Share2Icon aria-hidden /> Share to an app
        </Button>
      )}
      {chat.access === 'private' && chat.accessCode && (
        <p className="text-sm">
          Access code: <strong className="font-mono tracking-wider" data-testid="share-access-code">{chat.accessCode}</strong>
          <span className="block text-xs text-muted-foreground">Visitors need it too. Share it with the people you invite.</span>
        </p>
      )}
    </section>
  );
}
