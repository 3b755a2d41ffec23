'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { FormError } from '@/components/ui/misc';
import { errorMessage } from '@/lib/api';

/**
 * Confirms a block before it is made (SPEC §4): what it does, both ways, and
 * that the blocked person is not told. Unblocking needs no confirmation.
 */
export function BlockConfirm({
  username,
  where,
  open,
  onOpenChange,
  onBlock,
}: {
  username: string;
  /** Asked from a group's member list (the group goes on as before) or a pop chat's participants (their lines go). */
  where?: 'group' | 'pop';
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onBlock: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = (next: boolean) => {
    if (next) setError(null);
    onOpenChange(next);
  };
  const block = async () => {
    setBusy(true);
    setError(null);
    try {
      await onBlock();
      onOpenChange(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogContent data-testid="block-confirm">
        <DialogHeader>
          <DialogTitle>Block {username}?</DialogTitle>
          <DialogDescription>
            Neither of you can message the other, add the other to a group or find the other in search, and you stop seeing each other online. They
            are not told.
            {where === 'group' ? ' In groups you share, you both stay, and their messages still show.' : ''}
            {where === 'pop' ? " In pop chats you share, their messages, reactions and typing disappear for you." : ''} You can unblock them later from
            Contacts.
          </DialogDescription>
        </DialogHeader>
        <FormError>{error}</FormError>
        <DialogFooter>
          <Button variant="outline" onClick={() => change(false)} disabled={busy}>
            Cancel
          </Button>
          <Button variant="destructive" onClick={() => void block()} disabled={busy} data-testid="block-confirm-button">
            Block {username}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
