'use client';

import type { Message } from '@chatpop/protocol';
import { CopyIcon, ReplyIcon } from 'lucide-react';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { copyText } from '@/lib/share';

/** What a long-press on a message offers (touch screens). */
export function MessageActions({
  message,
  onClose,
  onReply,
}: {
  message: Message | null;
  onClose: () => void;
  onReply: (message: Message) => void;
}) {
  const action =
    'flex w-full items-center gap-3 rounded-xl bg-muted px-4 py-3 text-left font-medium outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring [&_svg]:size-5';
  return (
    <Dialog open={message !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="message-actions" className="gap-3">
        <DialogHeader>
          <DialogTitle>{message?.username ?? 'Message'}</DialogTitle>
          <DialogDescription className="line-clamp-3 break-words whitespace-pre-wrap">{message?.content}</DialogDescription>
        </DialogHeader>
        <button
          type="button"
          className={action}
          onClick={() => {
            if (message) onReply(message);
            onClose();
          }}
          data-testid="action-reply"
        >
          <ReplyIcon aria-hidden /> Reply
        </button>
        <button
          type="button"
          className={action}
          onClick={() => {
            if (message) void copyText(message.content);
            onClose();
          }}
          data-testid="action-copy"
        >
          <CopyIcon aria-hidden /> Copy text
        </button>
      </DialogContent>
    </Dialog>
  );
}
