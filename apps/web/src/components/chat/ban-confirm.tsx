'use client';

import { BAN_DELETE_RECENT_HOURS, type ModerateMemberBody } from '@chatpop/protocol';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { FormError } from '@/components/ui/misc';
import { Switch } from '@/components/ui/switch';

/**
 * Confirms a ban before it is made (SPEC §2.4), with "also delete their
 * recent messages" on by default, as Twitch clears a banned user's lines.
 */
export function BanConfirm({
  username,
  open,
  onOpenChange,
  onBan,
}: {
  username: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onBan: (body: Extract<ModerateMemberBody, { action: 'ban' }>) => Promise<void>;
}) {
  const [deleteRecent, setDeleteRecent] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const switchId = useId();

  const change = (next: boolean) => {
    if (next) {
      setDeleteRecent(true);
      setError(null);
    }
    onOpenChange(next);
  };
  const ban = async () => {
    setBusy(true);
    setError(null);
    try {
      await onBan({ action: 'ban', deleteRecent });
      onOpenChange(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'That did not work. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogContent data-testid="ban-confirm">
        <DialogHeader>
          <DialogTitle>Ban {username}?</DialogTitle>
          <DialogDescription>
            They leave the chat at once and cannot come back, from this browser, their other devices or their account. You can lift the ban later from
            the participants list.
          </DialogDescription>
        </DialogHeader>
        <div className="flex items-center justify-between gap-4 rounded-xl bg-muted px-4 py-3">
          <label htmlFor={switchId} className="text-sm font-medium">
            Also delete their messages of the last {BAN_DELETE_RECENT_HOURS} hours
          </label>
          <Switch id={switchId} checked={deleteRecent} onCheckedChange={setDeleteRecent} data-testid="ban-delete-recent" />
        </div>
        <FormError>{error}</FormError>
        <DialogFooter>
          <Button variant="outline" onClick={() => change(false)} disabled={busy}>
            Cancel
          </Button>
          <Button variant="destructive" onClick={() => void ban()} disabled={busy} data-testid="ban-confirm-button">
            Ban {username}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
