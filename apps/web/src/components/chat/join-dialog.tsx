'use client';

import { checkUsernameFormat, joinResponseSchema, type ChatView, type JoinResponse, type PublicUser } from '@chatpop/protocol';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner, VerifiedBadge } from '@/components/ui/misc';
import { api, chatPath, fieldErrors } from '@/lib/api';
import { unlockAudio } from '@/lib/sounds';

/**
 * Joining a pop chat. A signed-in user joins with their reserved username by
 * default (verified badge) or types another. An anonymous visitor types a
 * username for now; the dice roll of SPEC §2.2 replaces this input later.
 */
export function JoinDialog({
  open,
  onOpenChange,
  chat,
  user,
  onJoined,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  chat: ChatView;
  user: PublicUser | null;
  onJoined: (res: JoinResponse) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="join-modal">
        {open && <JoinForm chat={chat} user={user} onJoined={onJoined} />}
      </DialogContent>
    </Dialog>
  );
}

function JoinForm({ chat, user, onJoined }: { chat: ChatView; user: PublicUser | null; onJoined: (res: JoinResponse) => void }) {
  const reserved = user?.username ?? null;
  const [username, setUsername] = useState(reserved ?? '');
  const [touched, setTouched] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const check = checkUsernameFormat(username);
  const usesReserved = reserved !== null && check.username.toLowerCase() === reserved.toLowerCase();
  const liveError = touched && !check.ok ? check.message : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    // The join tap is the gesture iOS needs before any sound may play (seed guide, "Audio").
    unlockAudio();
    setTouched(true);
    if (!check.ok) return;
    setBusy(true);
    setErrors({});
    try {
      // Without a name the server uses the signed-in user's reserved one.
      const body = usesReserved ? {} : { username: check.username };
      const res = await api.post(chatPath(chat.code, '/join'), body, { schema: joinResponseSchema });
      onJoined(res);
    } catch (error) {
      setErrors(fieldErrors(error, { USERNAME_TAKEN: 'username', USERNAME_INVALID: 'username' }));
      setBusy(false);
    }
  }

  const describedBy = ['join-username-help', liveError || errors.username ? 'join-username-error' : null].filter(Boolean).join(' ');

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-5">
      <DialogHeader>
        <DialogTitle>Join {chat.name}</DialogTitle>
        <DialogDescription>
          {user ? 'Chat as your reserved username, or pick another name for this chat.' : 'Pick a username for this chat. No account needed.'}
        </DialogDescription>
      </DialogHeader>
      <div className="flex flex-col gap-2">
        <Label htmlFor="join-username">Username</Label>
        <Input
          id="join-username"
          value={username}
          onChange={(e) => {
            setUsername(e.target.value);
            setTouched(true);
            setErrors({});
          }}
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          maxLength={30}
          autoFocus
          aria-invalid={Boolean(liveError || errors.username)}
          aria-describedby={describedBy}
          data-testid="join-username"
        />
        <p id="join-username-help" className="flex items-center gap-1 text-xs text-muted-foreground" data-testid="join-username-help">
          {usesReserved ? (
            <>
              <VerifiedBadge className="size-3.5" /> Your reserved username: shown with a verified badge.
            </>
          ) : reserved ? (
            <>
              Not your reserved name, so no verified badge.{' '}
              <button
                type="button"
                className="font-medium text-primary underline-offset-4 outline-none hover:underline focus-visible:underline"
                onClick={() => setUsername(reserved)}
              >
                Use {reserved}
              </button>
            </>
          ) : (
            '5–15 letters, digits or underscores.'
          )}
        </p>
        <FormError id="join-username-error" data-testid="join-error">
          {liveError ?? errors.username}
        </FormError>
      </div>
      <FormError data-testid="join-form-error">{errors._form}</FormError>
      <Button type="submit" size="lg" disabled={busy || (touched && !check.ok)} data-testid="join-submit">
        {busy ? <Spinner label="Joining" /> : 'Join chat'}
      </Button>
    </form>
  );
}
