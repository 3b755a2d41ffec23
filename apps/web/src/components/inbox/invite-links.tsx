'use client';

import { inviteSchema, type ConversationDetail, type Invite } from '@chatpop/protocol';
import { CheckIcon, CopyIcon, LinkIcon, XIcon } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { api, errorMessage } from '@/lib/api';

const EXPIRY_CHOICES = [
  { value: '1', label: '1 hour' },
  { value: '24', label: '1 day' },
  { value: '168', label: '7 days' },
  { value: 'never', label: 'Until revoked' },
] as const;
const USE_CHOICES = [
  { value: 'any', label: 'No limit' },
  { value: '1', label: '1 person' },
  { value: '5', label: '5 people' },
  { value: '25', label: '25 people' },
  { value: '100', label: '100 people' },
] as const;

const listSchema = z.object({ invites: z.array(inviteSchema) });
const createdSchema = z.object({ invite: inviteSchema });

const linkOf = (invite: Invite) => `${window.location.origin}/join/${invite.token}`;
const expiryFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A group's invite links in its info panel: make one (expiry, use limit), copy it, revoke it. */
export function InviteLinks({ conversation: c, onError }: { conversation: ConversationDetail; onError: (message: string) => void }) {
  const [invites, setInvites] = useState<Invite[] | null>(null);
  const [expiry, setExpiry] = useState<string>('168');
  const [uses, setUses] = useState<string>('any');
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const base = `/api/conversations/${encodeURIComponent(c.id)}/invites`;

  const load = useCallback(() => {
    api
      .get(base, { schema: listSchema })
      .then(({ invites: list }) => setInvites(list))
      .catch((error: unknown) => onError(errorMessage(error)));
  }, [base, onError]);
  useEffect(load, [load]);

  async function create() {
    setBusy(true);
    try {
      const { invite } = await api.post(
        base,
        { expiresInHours: expiry === 'never' ? null : Number(expiry), maxUses: uses === 'any' ? null : Number(uses) },
        { schema: createdSchema },
      );
      setInvites((list) => [invite, ...(list ?? [])]);
      await copy(invite);
    } catch (error) {
      onError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  async function copy(invite: Invite) {
    try {
      await navigator.clipboard.writeText(linkOf(invite));
      setCopied(invite.id);
      setTimeout(() => setCopied((id) => (id === invite.id ? null : id)), 2_000);
    } catch {
      // No clipboard (an insecure page, a denied permission): the link stays on screen to copy by hand.
    }
  }

  async function revoke(invite: Invite) {
    try {
      await api.delete(`${base}/${invite.id}`);
      setInvites((list) => (list ?? []).filter((i) => i.id !== invite.id));
    } catch (error) {
      onError(errorMessage(error));
    }
  }

  return (
    <section aria-labelledby="info-invites" data-testid="invite-links">
      <h3 id="info-invites" className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
        Invite links
      </h3>
      <div className="grid grid-cols-2 gap-2">
        <div className="flex min-w-0 flex-col gap-1">
          <Label htmlFor="invite-expiry" className="text-xs">
            Works for
          </Label>
          <NativeSelect id="invite-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)} data-testid="invite-expiry">
            {EXPIRY_CHOICES.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex min-w-0 flex-col gap-1">
          <Label htmlFor="invite-uses" className="text-xs">
            Lets in
          </Label>
          <NativeSelect id="invite-uses" value={uses} onChange={(e) => setUses(e.target.value)} data-testid="invite-uses">
            {USE_CHOICES.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>
      <Button className="mt-2 h-11 w-full" variant="outline" onClick={() => void create()} disabled={busy} data-testid="invite-create">
        <LinkIcon aria-hidden /> Create and copy a link
      </Button>
      {invites && invites.length > 0 && (
        <ul className="mt-3 flex flex-col gap-2">
          {invites.map((invite) => (
            <li key={invite.id} className="rounded-xl bg-muted p-2.5" data-testid="invite-link">
              <p className="truncate font-mono text-xs" data-testid="invite-url">
                /join/{invite.token}
              </p>
              <p className="mt-0.5 text-xs text-muted-foreground">
                {invite.expiresAt ? `Until ${expiryFormat.format(new Date(invite.expiresAt))}` : 'Until revoked'}
                {' · '}
                {invite.maxUses === null ? `${invite.uses} joined` : `${invite.uses} of ${invite.maxUses} joined`}
              </p>
              <div className="mt-1.5 flex gap-2">
                <Button size="sm" variant="ghost" onClick={() => void copy(invite)} aria-label="Copy this invite link" data-testid="invite-copy">
                  {copied === invite.id ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />} {copied === invite.id ? 'Copied' : 'Copy'}
                </Button>
                <Button size="sm" variant="ghost" onClick={() => void revoke(invite)} aria-label="Revoke this invite link" data-testid="invite-revoke">
                  <XIcon aria-hidden /> Revoke
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
