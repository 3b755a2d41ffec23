'use client';

import {
  GROUP_DESCRIPTION_MAX_CHARS,
  GROUP_NAME_MAX_CHARS,
  conversationResponseSchema,
  type ConversationDetail,
  type ConversationMember,
  type GroupPermissions,
} from '@chatpop/protocol';
import { BanIcon, LogOutIcon, MoreVerticalIcon, PencilIcon, ShieldIcon, ShieldOffIcon, UserMinusIcon, UserPlusIcon } from 'lucide-react';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from '@/components/ui/dropdown-menu';
import { Input, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { Switch } from '@/components/ui/switch';
import { api, errorMessage } from '@/lib/api';
import { personName } from '@/lib/inbox';
import { PeopleSearch, type FoundPerson } from './people-search';

/**
 * A group's administration in its details (SPEC §4, docs/api.md "Group
 * administration"): what the group's permissions let this member do, and
 * nothing more is offered. Each change answers with the group as it now is.
 */

const path = (id: string, rest = '') => `/api/conversations/${encodeURIComponent(id)}${rest}`;

export const canEditInfo = (c: ConversationDetail) => c.kind === 'group' && (c.myRole === 'admin' || c.permissions?.editInfo === 'everyone');
export const canAddMembers = (c: ConversationDetail) => c.kind === 'group' && (c.myRole === 'admin' || c.permissions?.addMembers === 'everyone');

/** Renames the group and changes its description. */
export function EditGroupInfo({ conversation: c, onChanged, onDone }: { conversation: ConversationDetail; onChanged: (c: ConversationDetail) => void; onDone: () => void }) {
  const nameId = useId();
  const descriptionId = useId();
  const [name, setName] = useState(c.name);
  const [description, setDescription] = useState(c.description);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { ...(name.trim() !== c.name ? { name } : {}), ...(description.trim() !== c.description ? { description } : {}) };
      if (Object.keys(body).length > 0) onChanged((await api.patch(path(c.id), body, { schema: conversationResponseSchema })).conversation);
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="flex w-full flex-col gap-3 text-left" data-testid="edit-group-form">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={nameId}>Group name</Label>
        <Input id={nameId} value={name} onChange={(e) => setName(e.target.value)} maxLength={GROUP_NAME_MAX_CHARS} required data-testid="edit-group-name" />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={descriptionId}>Description</Label>
        <Textarea id={descriptionId} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={GROUP_DESCRIPTION_MAX_CHARS} rows={3} />
      </div>
      <FormError>{error}</FormError>
      <div className="flex gap-2">
        <Button type="submit" disabled={busy || !name.trim()} className="flex-1" data-testid="edit-group-save">
          {busy && <Spinner label="Saving" />} Save
        </Button>
        <Button type="button" variant="outline" onClick={onDone} className="flex-1">
          Cancel
        </Button>
      </div>
    </form>
  );
}

export function EditGroupButton({ onClick }: { onClick: () => void }) {
  return (
    <Button variant="outline" size="sm" onClick={onClick} data-testid="edit-group">
      <PencilIcon aria-hidden /> Edit name and description
    </Button>
  );
}

/** "Add people": the people search, with those already in the group left out. */
export function AddMembersDialog({
  conversation: c,
  members,
  open,
  onOpenChange,
  onChanged,
}: {
  conversation: ConversationDetail;
  members: ConversationMember[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onChanged: (c: ConversationDetail) => void;
}) {
  const [picked, setPicked] = useState<FoundPerson[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) return;
    setPicked([]);
    setError(null);
  }, [open]);
  const inGroup = new Set(members.map((m) => m.userId));
  const chosen = new Set(picked.map((p) => p.userId));

  async function add() {
    setBusy(true);
    setError(null);
    try {
      onChanged((await api.post(path(c.id, '/members'), { memberIds: picked.map((p) => p.userId) }, { schema: conversationResponseSchema })).conversation);
      onOpenChange(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="flex max-h-[calc(100dvh-2rem)] max-w-lg flex-col gap-4" data-testid="add-members-dialog">
        <DialogHeader>
          <DialogTitle>Add people to {c.name}</DialogTitle>
          <DialogDescription>They will see the group&apos;s earlier messages too.</DialogDescription>
        </DialogHeader>
        <PeopleSearch
          label="Find people"
          chosen={chosen}
          hide={inGroup}
          disabled={busy}
          pick={(person) => setPicked((current) => (chosen.has(person.userId) ? current.filter((p) => p.userId !== person.userId) : [...current, person]))}
        />
        <FormError>{error}</FormError>
        <Button size="lg" onClick={() => void add()} disabled={busy || picked.length === 0} data-testid="add-members-submit">
          {busy ? <Spinner label="Adding" /> : <UserPlusIcon aria-hidden />}
          {picked.length === 0 ? 'Choose people to add' : `Add ${picked.map(personName).join(', ')}`}
        </Button>
      </DialogContent>
    </Dialog>
  );
}

/**
 * The menu of another member of the group: an admin's actions (make or
 * unmake admin, remove), and for everyone blocking or unblocking the person.
 * Always visible, so touch reaches it.
 */
export function MemberMenu({
  conversation: c,
  member,
  admin,
  blocked,
  onBlock,
  onUnblock,
  onChanged,
  onError,
}: {
  conversation: ConversationDetail;
  member: ConversationMember;
  /** Whether I am an admin of the group (the admin actions). */
  admin: boolean;
  /** Whether I blocked them; null while not known yet (no block item then). */
  blocked: boolean | null;
  /** Asks to block them (the caller confirms first). */
  onBlock: () => void;
  onUnblock: () => void;
  onChanged: (c: ConversationDetail) => void;
  onError: (message: string) => void;
}) {
  const name = personName(member);
  const run = (work: () => Promise<{ conversation: ConversationDetail }>) =>
    work()
      .then((res) => onChanged(res.conversation))
      .catch((e: unknown) => onError(errorMessage(e)));
  const role = (next: 'admin' | 'member') => run(() => api.post(path(c.id, `/members/${encodeURIComponent(member.userId)}/role`), { role: next }, { schema: conversationResponseSchema }));
  if (!admin && blocked === null) return <span className="w-9 shrink-0" aria-hidden />;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        className="flex size-9 shrink-0 items-center justify-center rounded-lg text-muted-foreground outline-none hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
        aria-label={admin ? `Manage ${name}` : `Options for ${name}`}
        data-testid="member-menu"
      >
        <MoreVerticalIcon className="size-4" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        {admin && (
          <>
            {member.role === 'admin' ? (
              <DropdownMenuItem onSelect={() => void role('member')} data-testid="member-demote">
                <ShieldOffIcon aria-hidden /> Remove as admin
              </DropdownMenuItem>
            ) : (
              <DropdownMenuItem onSelect={() => void role('admin')} data-testid="member-promote">
                <ShieldIcon aria-hidden /> Make admin
              </DropdownMenuItem>
            )}
            <DropdownMenuItem
              className="text-destructive data-[highlighted]:text-destructive"
              onSelect={() => void run(() => api.delete(path(c.id, `/members/${encodeURIComponent(member.userId)}`), { schema: conversationResponseSchema }))}
              data-testid="member-remove"
            >
              <UserMinusIcon aria-hidden /> Remove from group
            </DropdownMenuItem>
          </>
        )}
        {admin && blocked !== null && <DropdownMenuSeparator />}
        {blocked === true && (
          <DropdownMenuItem onSelect={onUnblock} data-testid="member-unblock">
            <BanIcon aria-hidden /> Unblock {name}
          </DropdownMenuItem>
        )}
        {blocked === false && (
          <DropdownMenuItem className="text-destructive data-[highlighted]:text-destructive" onSelect={onBlock} data-testid="member-block">
            <BanIcon aria-hidden /> Block {name}
          </DropdownMenuItem>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

const PERMISSION_LABELS: Record<keyof GroupPermissions, string> = {
  send: 'Only admins can send messages',
  addMembers: 'Only admins can add people',
  editInfo: 'Only admins can change the name and description',
};

/** Who may do what in the group (admins only). */
export function GroupPermissionsForm({ conversation: c, onChanged, onError }: { conversation: ConversationDetail; onChanged: (c: ConversationDetail) => void; onError: (message: string) => void }) {
  const [busy, setBusy] = useState<keyof GroupPermissions | null>(null);
  const permissions = c.permissions;
  if (!permissions) return null;
  async function set(key: keyof GroupPermissions, adminsOnly: boolean) {
    setBusy(key);
    try {
      onChanged((await api.patch(path(c.id), { permissions: { [key]: adminsOnly ? 'admins' : 'everyone' } }, { schema: conversationResponseSchema })).conversation);
    } catch (e) {
      onError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  }
  return (
    <ul className="flex flex-col gap-3">
      {(Object.keys(PERMISSION_LABELS) as Array<keyof GroupPermissions>).map((key) => (
        <li key={key} className="flex items-center justify-between gap-3">
          <Label htmlFor={`permission-${key}`} className="leading-snug font-normal">
            {PERMISSION_LABELS[key]}
          </Label>
          <Switch
            id={`permission-${key}`}
            checked={permissions[key] === 'admins'}
            disabled={busy !== null}
            onCheckedChange={(on) => void set(key, on)}
            data-testid={`permission-${key}`}
          />
        </li>
      ))}
    </ul>
  );
}

/** Leaving takes a second tap: there is no way back in without being added again. */
export function LeaveGroupButton({ conversation: c, onLeft }: { conversation: ConversationDetail; onLeft: () => void }) {
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function leave() {
    if (!confirm) return setConfirm(true);
    setBusy(true);
    setError(null);
    try {
      await api.post(path(c.id, '/leave'), {});
      onLeft();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }
  return (
    <>
      <Button variant="outline" className="text-destructive" disabled={busy} onClick={() => void leave()} data-testid="leave-group">
        <LogOutIcon aria-hidden /> {confirm ? 'Tap again to leave the group' : 'Leave group'}
      </Button>
      <FormError>{error}</FormError>
    </>
  );
}
