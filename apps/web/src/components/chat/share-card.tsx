'use client';

import type { ChatView } from '@chatpop/protocol';
import { CheckIcon, CopyIcon, PartyPopperIcon, QrCodeIcon, Share2Icon, XIcon } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';
import { Spinner } from '@/components/ui/misc';
import { Switch } from '@/components/ui/switch';
import { canShareNatively, chatUrl, copyText, qrCodeImage, shareLink } from '@/lib/share';

/** Shown to the host right after creating the chat: the link to share (and the access code of a private chat). */
export function ShareCard({ chat, onDismiss }: { chat: ChatView; onDismiss: () => void }) {
  const [url, setUrl] = useState(`/chat/${chat.code}`);
  const [copied, setCopied] = useState(false);
  const [native, setNative] = useState(false);
  const [qrOpen, setQrOpen] = useState(false);
  // A private chat's link can carry its access code, so whoever has the link is let straight in.
  const privateCode = chat.access === 'private' ? chat.accessCode : undefined;
  const [withCode, setWithCode] = useState(false);
  const withCodeId = useId();

  useEffect(() => {
    setUrl(chatUrl(chat.code, withCode ? privateCode : undefined));
    setNative(canShareNatively());
  }, [chat.code, withCode, privateCode]);

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
      <div className="flex flex-wrap gap-2">
        {native && (
          <Button variant="secondary" className="flex-1" onClick={() => void shareLink(chat.name, url)} data-testid="share-chat-link">
            <Share2Icon aria-hidden /> Share to an app
          </Button>
        )}
        <Button variant="secondary" className="flex-1" onClick={() => setQrOpen(true)} data-testid="show-qr-code">
          <QrCodeIcon aria-hidden /> QR code
        </Button>
      </div>
      {privateCode && (
        <div className="flex flex-col gap-3 text-sm">
          <p>
            Access code: <strong className="font-mono tracking-wider" data-testid="share-access-code">{privateCode}</strong>
            <span className="block text-xs text-muted-foreground">
              {withCode ? 'The link above lets people in without it.' : 'Visitors need it too. Share it with the people you invite.'}
            </span>
          </p>
          <div className="flex items-center justify-between gap-3">
            <Label htmlFor={withCodeId} className="font-normal">
              Put the access code in the link
            </Label>
            <Switch id={withCodeId} checked={withCode} onCheckedChange={setWithCode} data-testid="share-with-code" />
          </div>
        </div>
      )}
      <QrCodeDialog open={qrOpen} onOpenChange={setQrOpen} url={url} chatName={chat.name} carriesCode={withCode && Boolean(privateCode)} />
    </section>
  );
}

/** The link as a QR code, big enough to be scanned from a phone held up in a room. */
function QrCodeDialog({
  open,
  onOpenChange,
  url,
  chatName,
  carriesCode,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  url: string;
  chatName: string;
  carriesCode: boolean;
}) {
  const [image, setImage] = useState<{ url: string; src: string } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!open || image?.url === url) return;
    let live = true;
    setFailed(false);
    qrCodeImage(url).then(
      (src) => live && setImage({ url, src }),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [open, url, image?.url]);
  const ready = image?.url === url ? image.src : null;

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-sm" data-testid="qr-code-dialog">
        <DialogHeader>
          <DialogTitle>Scan to join</DialogTitle>
          <DialogDescription>
            {carriesCode ? 'Anyone who scans this code is let in without typing the access code.' : "Point a phone's camera at the code to open the chat."}
          </DialogDescription>
        </DialogHeader>
        <div className="mx-auto flex size-72 max-w-full items-center justify-center rounded-2xl bg-white p-2">
          {ready ? (
            <img src={ready} alt={`QR code of the link to ${chatName}`} width={288} height={288} className="size-full" data-testid="qr-code-image" />
          ) : failed ? (
            <p className="text-center text-sm text-zinc-700">The code could not be drawn. Copy the link instead.</p>
          ) : (
            <Spinner label="Drawing the code" />
          )}
        </div>
        <p className="truncate text-center font-mono text-xs text-muted-foreground">{url}</p>
      </DialogContent>
    </Dialog>
  );
}
