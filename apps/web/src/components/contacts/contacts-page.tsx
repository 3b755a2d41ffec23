'use client';

import { CONTACT_NICKNAME_MAX_CHARS, conversationCreatedSchema, type Contact, type ContactRequest, type Person } from '@chatpop/protocol';
import { MessageCircleIcon, MoreVerticalIcon, StarIcon, UserPlusIcon } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type ReactNode } from 'react';
import { AccountShell, Section } from '@/components/account/account-shell';
import { UserAvatar } from '@/components/account/user-avatar';
import { BlockConfirm } from '@/components/contacts/block-confirm';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { api, errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';
import { useContacts } from '@/lib/use-contacts';
import { cn } from '@/lib/utils';

/** Contacts, requests both ways and blocked people (docs/api.md, "Contacts and blocking"). */
export function ContactsPage() {
  return <AccountShell title="Contacts">{() => <ContactsBody />}</AccountShell>;
}

function ContactsBody() {
  const { session } = useSession();
  const signedIn = session.status === 'signed-in';
  const { state, reload } = useContacts(signedIn);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Contact | null>(null);
  const [blocking, setBlocking] = useState<Contact | null>(null);
  const router = useRouter();

  async function run(work: () => Promise<unknown>, done?: string) {
    setError(null);
    setNotice(null);
    try {
      await work();
      if (done) setNotice(done);
      await reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function message(person: Person) {
    setError(null);
    try {
      const res = await api.post('/api/conversations/direct', { userId: person.userId }, { schema: conversationCreatedSchema });
      router.push(`/inbox/${res.conversation.id}`);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  if (state.status === 'loading') {
    return (
      <div className="flex justify-center py-10 text-zinc-600">
        <Spinner label="Loading your contacts" />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <Alert title="Couldn't load your contacts" action={<Button size="sm" variant="outline" onClick={() => void reload()}>Try again</Button>}>
        {state.error}
      </Alert>
    );
  }

  const { incoming, outgoing } = state.requests;
  return (
    <>
      <div aria-live="polite" className="contents">
        {error && (
          <p role="alert" className="rounded-2xl bg-red-50 px-4 py-3 text-sm text-red-900" data-testid="contacts-error">
            {error}
          </p>
        )}
        {notice && (
          <p role="status" className="rounded-2xl bg-green-50 px-4 py-3 text-sm text-green-900" data-testid="contacts-notice">
            {notice}
          </p>
        )}
      </div>

      <AddPerson onAdd={(username) => run(() => api.post('/api/contacts', { username }), `${username} is in your contacts.`)} onRequest={(username) => run(() => api.post('/api/contact-requests', { username }), `Request sent to ${username}.`)} />

      {(incoming.length > 0 || outgoing.length > 0) && (
        <Section title="Requests" testId="contact-requests" description="People who asked to be in your contacts, and those you asked.">
          <ul className="flex flex-col divide-y divide-zinc-100">
            {incoming.map((r) => (
              <RequestRow key={r.id} request={r}>
                <Button size="sm" onClick={() => void run(() => api.post(`/api/contact-requests/${r.id}/accept`), `${r.person.username} is in your contacts.`)} data-testid="request-accept">
                  Accept
                </Button>
                <Button size="sm" variant="outline" onClick={() => void run(() => api.post(`/api/contact-requests/${r.id}/reject`))} data-testid="request-reject">
                  Decline
                </Button>
              </RequestRow>
            ))}
            {outgoing.map((r) => (
              <RequestRow key={r.id} request={r}>
                <Button size="sm" variant="outline" onClick={() => void run(() => api.delete(`/api/contact-requests/${r.id}`))} data-testid="request-cancel">
                  Cancel
                </Button>
              </RequestRow>
            ))}
          </ul>
        </Section>
      )}

      <Section title="Your contacts" testId="contacts-list" description={state.contacts.length === 0 ? undefined : 'Starred ones come first.'}>
        {state.contacts.length === 0 ? (
          <p className="text-sm text-zinc-600">No contacts yet. Add someone by their username above.</p>
        ) : (
          <ul className="flex flex-col divide-y divide-zinc-100">
            {state.contacts.map((c) => (
              <li key={c.userId} className="flex items-center gap-3 py-2" data-testid="contact" data-username={c.username}>
                <UserAvatar user={{ username: c.username, avatarUrl: c.avatarUrl, displayName: c.displayName, email: '' }} className="size-10" />
                <PersonName person={c} nickname={c.nickname} />
                <Button
                  variant="ghost"
                  size="icon"
                  aria-pressed={c.favourite}
                  aria-label={c.favourite ? `Unstar ${c.username}` : `Star ${c.username}`}
                  onClick={() => void run(() => api.patch(`/api/contacts/${c.userId}`, { favourite: !c.favourite }))}
                  data-testid="contact-star"
                >
                  <StarIcon className={cn('size-5', c.favourite ? 'fill-amber-400 text-amber-500' : 'text-zinc-500')} aria-hidden />
                </Button>
                <Button variant="ghost" size="icon" aria-label={`Message ${c.username}`} onClick={() => void message(c)} data-testid="contact-message">
                  <MessageCircleIcon className="size-5" aria-hidden />
                </Button>
                <DropdownMenu>
                  <DropdownMenuTrigger
                    className="flex size-10 shrink-0 items-center justify-center rounded-lg outline-none hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-ring"
                    aria-label={`More for ${c.username}`}
                    data-testid="contact-menu"
                  >
                    <MoreVerticalIcon className="size-4" aria-hidden />
                  </DropdownMenuTrigger>
                  <DropdownMenuContent align="end">
                    <DropdownMenuLabel>{c.username}</DropdownMenuLabel>
                    <DropdownMenuItem onSelect={() => setEditing(c)} data-testid="contact-nickname">
                      {c.nickname ? 'Change nickname' : 'Add a nickname'}
                    </DropdownMenuItem>
                    <DropdownMenuItem onSelect={() => void run(() => api.delete(`/api/contacts/${c.userId}`), `${c.username} left your contacts.`)} data-testid="contact-remove">
                      Remove from contacts
                    </DropdownMenuItem>
                    <DropdownMenuSeparator />
                    <DropdownMenuItem
                      className="text-destructive"
                      onSelect={() => setBlocking(c)}
                      data-testid="contact-block"
                    >
                      Block {c.username}
                    </DropdownMenuItem>
                  </DropdownMenuContent>
                </DropdownMenu>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section
        title="Blocked"
        testId="blocked-list"
        description="Blocked people can't message you, add you to groups, find you or see when you're online, and you don't see what they write in pop chats. They aren't told."
      >
        {state.blocked.length === 0 ? (
          <p className="text-sm text-zinc-600">You haven't blocked anyone.</p>
        ) : (
          <ul className="flex flex-col divide-y divide-zinc-100">
            {state.blocked.map((b) => (
              <li key={b.userId} className="flex items-center gap-3 py-2" data-testid="blocked-person" data-username={b.username}>
                <UserAvatar user={{ username: b.username, avatarUrl: b.avatarUrl, displayName: b.displayName, email: '' }} className="size-10" />
                <PersonName person={b} nickname={null} />
                <Button size="sm" variant="outline" onClick={() => void run(() => api.delete(`/api/blocks/${b.userId}`), `You unblocked ${b.username}.`)} data-testid="unblock">
                  Unblock
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <NicknameDialog contact={editing} onClose={() => setEditing(null)} onSave={(c, nickname) => run(() => api.patch(`/api/contacts/${c.userId}`, { nickname }))} />
      {blocking && (
        <BlockConfirm
          username={blocking.username}
          open
          onOpenChange={(o) => !o && setBlocking(null)}
          onBlock={async () => {
            setError(null);
            await api.post('/api/blocks', { userId: blocking.userId });
            setNotice(`You blocked ${blocking.username}.`);
            await reload();
          }}
        />
      )}
    </>
  );
}

function PersonName({ person, nickname }: { person: Person; nickname: string | null }) {
  const main = nickname ?? person.displayName ?? person.username;
  return (
    <span className="flex min-w-0 flex-1 flex-col">
      <span className="truncate font-medium text-zinc-900">{main}</span>
      <span className="truncate text-xs text-zinc-600">
        @{person.username}
        {nickname && person.displayName ? ` · ${person.displayName}` : ''}
      </span>
    </span>
  );
}

function RequestRow({ request, children }: { request: ContactRequest; children: ReactNode }) {
  return (
    <li className="flex flex-wrap items-center gap-3 py-2" data-testid={`request-${request.direction}`} data-username={request.person.username}>
      <UserAvatar user={{ username: request.person.username, avatarUrl: request.person.avatarUrl, displayName: request.person.displayName, email: '' }} className="size-10" />
      <span className="flex min-w-0 flex-1 flex-col">
        <span className="truncate font-medium text-zinc-900">{request.person.displayName ?? request.person.username}</span>
        <span className="text-xs text-zinc-600">
          {request.direction === 'incoming' ? 'Wants to add you' : 'Waiting for their answer'} · @{request.person.username}
        </span>
      </span>
      <span className="flex gap-2">{children}</span>
    </li>
  );
}

function AddPerson({ onAdd, onRequest }: { onAdd: (username: string) => Promise<void>; onRequest: (username: string) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function go(kind: 'add' | 'request', event?: FormEvent) {
    event?.preventDefault();
    const name = username.trim().replace(/^@/, '');
    if (!name) {
      setProblem('Type the username of the person.');
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await (kind === 'add' ? onAdd(name) : onRequest(name));
      setUsername('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Add someone" testId="add-contact" description="Add them to your contacts straight away, or ask them to add you back.">
      <form className="flex flex-col gap-3" onSubmit={(e) => void go('add', e)} noValidate>
        <div className="flex flex-col gap-2">
          <Label htmlFor="add-contact-username">Username</Label>
          <Input
            id="add-contact-username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'add-contact-problem' : undefined}
            data-testid="add-contact-username"
          />
          <FormError id="add-contact-problem">{problem}</FormError>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={busy} data-testid="add-contact-submit">
            <UserPlusIcon aria-hidden /> Add to contacts
          </Button>
          <Button type="button" variant="outline" disabled={busy} onClick={() => void go('request')} data-testid="send-request">
            Send a contact request
          </Button>
        </div>
      </form>
    </Section>
  );
}

function NicknameDialog({ contact, onClose, onSave }: { contact: Contact | null; onClose: () => void; onSave: (c: Contact, nickname: string | null) => Promise<void> }) {
  const [value, setValue] = useState('');
  return (
    <Dialog
      open={contact !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
        else setValue(contact?.nickname ?? '');
      }}
    >
      <DialogContent data-testid="nickname-dialog" onOpenAutoFocus={() => setValue(contact?.nickname ?? '')}>
        <DialogHeader>
          <DialogTitle>Nickname for {contact?.username}</DialogTitle>
          <DialogDescription>Only you see it. Leave it empty to show their name.</DialogDescription>
        </DialogHeader>
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (!contact) return;
            void onSave(contact, value.trim() || null).then(onClose);
          }}
        >
          <div className="flex flex-col gap-2">
            <Label htmlFor="nickname-input">Nickname</Label>
            <Input id="nickname-input" value={value} maxLength={CONTACT_NICKNAME_MAX_CHARS} onChange={(e) => setValue(e.target.value)} data-testid="nickname-input" />
          </div>
          <DialogFooter>
            <Button type="submit" data-testid="nickname-save">
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
