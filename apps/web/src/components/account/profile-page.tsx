'use client';

import {
  AVATAR_MAX_BYTES,
  BIO_MAX_CHARS,
  DISPLAY_NAME_MAX_CHARS,
  USER_STATUSES,
  meResponseSchema,
  passwordProblems,
  type PublicUser,
  type UserStatus,
  type WhoCanMessage,
} from '@chatpop/protocol';
import { CameraIcon, CheckIcon, LogOutIcon, Trash2Icon } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { PasswordInput, PasswordRules } from '@/components/auth/password-input';
import { Button } from '@/components/ui/button';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner, VerifiedBadge } from '@/components/ui/misc';
import { Switch } from '@/components/ui/switch';
import { ApiError, RawBody, api, errorMessage, fieldErrors } from '@/lib/api';
import { useSession } from '@/lib/session';
import { useUsernameAvailability } from '@/lib/username-availability';
import { cn } from '@/lib/utils';
import { AccountShell, Section } from './account-shell';
import { PushSection } from './push-section';
import { UserAvatar } from './user-avatar';

const STATUS_LABELS: Record<UserStatus, string> = {
  online: 'Online',
  away: 'Away',
  busy: 'Busy — do not disturb',
  offline: 'Appear offline',
};

export function ProfilePage() {
  return (
    <AccountShell title="Your account">
      {(user, reload) => (
        <>
          <AvatarSection user={user} onChanged={reload} />
          <ProfileSection key={user.id} user={user} onSaved={reload} />
          <PushSection />
          <PasswordSection />
          <SignOutSection />
        </>
      )}
    </AccountShell>
  );
}

function AvatarSection({ user, onChanged }: { user: PublicUser; onChanged: () => Promise<unknown> }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setError(null);
    if (file.size > AVATAR_MAX_BYTES) {
      setError('That image is larger than 5 MB. Pick a smaller one.');
      return;
    }
    setBusy(true);
    try {
      await api.put('/api/me/avatar', new RawBody(file), { schema: meResponseSchema });
      await onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api.delete('/api/me/avatar', { schema: meResponseSchema });
      await onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Photo" description="A square picture, shown beside your name. JPEG, PNG, WebP or GIF, up to 5 MB." testId="avatar-section">
      <div className="flex items-center gap-4">
        <div className="relative">
          <UserAvatar user={user} className="size-20 text-2xl" />
          {busy && (
            <span className="absolute inset-0 flex items-center justify-center rounded-full bg-white/70">
              <Spinner label="Uploading" />
            </span>
          )}
        </div>
        <div className="flex flex-wrap gap-2">
          <input
            ref={input}
            type="file"
            accept="image/jpeg,image/png,image/webp,image/gif"
            className="sr-only"
            onChange={(e) => void choose(e)}
            aria-label="Choose a photo"
            data-testid="avatar-input"
            tabIndex={-1}
          />
          <Button variant="outline" onClick={() => input.current?.click()} disabled={busy} data-testid="avatar-choose">
            <CameraIcon aria-hidden /> {user.avatarUrl ? 'Change photo' : 'Add a photo'}
          </Button>
          {user.avatarUrl && (
            <Button variant="ghost" onClick={() => void remove()} disabled={busy} data-testid="avatar-remove">
              <Trash2Icon aria-hidden /> Remove
            </Button>
          )}
        </div>
      </div>
      <FormError className="mt-3" data-testid="avatar-error">
        {error}
      </FormError>
    </Section>
  );
}

function ProfileSection({ user, onSaved }: { user: PublicUser; onSaved: () => Promise<unknown> }) {
  const [displayName, setDisplayName] = useState(user.displayName ?? '');
  const [bio, setBio] = useState(user.bio);
  const [status, setStatus] = useState<UserStatus>(user.status);
  const [hideReadReceipts, setHideReadReceipts] = useState(user.privacy.hideReadReceipts);
  const [hideLastSeen, setHideLastSeen] = useState(user.privacy.hideLastSeen);
  const [whoCanMessage, setWhoCanMessage] = useState<WhoCanMessage>(user.privacy.whoCanMessage);
  const [username, setUsername] = useState('');
  const availability = useUsernameAvailability(user.username ? '' : username);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setSaved(false);
    try {
      await api.patch(
        '/api/me',
        {
          displayName: displayName.trim() || null,
          bio,
          status,
          privacy: { hideReadReceipts, hideLastSeen, whoCanMessage },
          ...(!user.username && username.trim() ? { username: username.trim() } : {}),
        },
        { schema: meResponseSchema },
      );
      await onSaved();
      setSaved(true);
      setUsername('');
    } catch (err) {
      setErrors(fieldErrors(err, { USERNAME_TAKEN: 'username', USERNAME_INVALID: 'username', USERNAME_ALREADY_SET: 'username' }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Profile" testId="profile-section">
      <form onSubmit={submit} noValidate className="flex flex-col gap-5" data-testid="profile-form" onChange={() => setSaved(false)}>
        <div className="flex flex-col gap-2">
          <Label htmlFor="profile-username">Username</Label>
          {user.username ? (
            <p className="flex items-center gap-1.5 text-base font-semibold text-zinc-900" data-testid="profile-username">
              {user.username} <VerifiedBadge />
              <span className="text-xs font-normal text-zinc-600">· reserved for you everywhere</span>
            </p>
          ) : (
            <>
              <Input
                id="profile-username"
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                autoCapitalize="off"
                autoComplete="username"
                spellCheck={false}
                placeholder="Reserve one (optional)"
                aria-describedby="profile-username-help"
                aria-invalid={availability.status === 'invalid' || availability.status === 'taken'}
                data-testid="profile-username-input"
              />
              <p
                id="profile-username-help"
                className={cn(
                  'text-xs',
                  availability.status === 'available' || availability.status === 'yours'
                    ? 'text-green-700'
                    : availability.status === 'invalid' || availability.status === 'taken'
                      ? 'text-red-700'
                      : 'text-zinc-600',
                )}
                aria-live="polite"
              >
                {'message' in availability
                  ? availability.message
                  : availability.status === 'checking'
                    ? `Checking ${availability.username}…`
                    : 'A reserved username shows with a verified badge in every chat. It cannot be changed later.'}
              </p>
            </>
          )}
          <FormError>{errors.username}</FormError>
        </div>

        <div className="flex flex-col gap-2">
          <Label htmlFor="profile-display-name">Display name</Label>
          <Input
            id="profile-display-name"
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            maxLength={DISPLAY_NAME_MAX_CHARS}
            autoComplete="name"
            data-testid="profile-display-name"
          />
          <FormError>{errors.displayName}</FormError>
        </div>

        <div className="flex flex-col gap-2">
          <div className="flex items-baseline justify-between">
            <Label htmlFor="profile-bio">Bio</Label>
            <span className="text-xs text-zinc-600" aria-hidden>
              {bio.length}/{BIO_MAX_CHARS}
            </span>
          </div>
          <Textarea id="profile-bio" value={bio} onChange={(e) => setBio(e.target.value)} maxLength={BIO_MAX_CHARS} rows={3} data-testid="profile-bio" />
          <FormError>{errors.bio}</FormError>
        </div>

        <div className="flex flex-col gap-2">
          <Label htmlFor="profile-status">Status</Label>
          <NativeSelect id="profile-status" aria-describedby="profile-status-help" value={status} onChange={(e) => setStatus(e.target.value as UserStatus)} data-testid="profile-status">
            {USER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </NativeSelect>
          <p className="text-xs text-zinc-600" id="profile-status-help">
            Shown to the people you have conversations with while ChatPop is open. Appear offline shows you offline to everyone, pop chats
            included.
          </p>
        </div>

        <fieldset className="flex flex-col gap-3">
          <legend className="mb-2 text-sm font-medium text-zinc-900">Privacy</legend>
          <ToggleRow
            id="privacy-receipts"
            label="Hide read receipts"
            help="Others don't see when you've read their messages (and you don't see theirs)."
            checked={hideReadReceipts}
            onChange={setHideReadReceipts}
          />
          <ToggleRow
            id="privacy-last-seen"
            label="Hide last seen"
            help="Others don't see when you were last online (and you don't see theirs)."
            checked={hideLastSeen}
            onChange={setHideLastSeen}
          />
          <div className="flex flex-col gap-2">
            <Label htmlFor="privacy-who-can-message">Who can start a conversation with you</Label>
            <NativeSelect
              id="privacy-who-can-message"
              aria-describedby="privacy-who-can-message-help"
              value={whoCanMessage}
              onChange={(e) => setWhoCanMessage(e.target.value as WhoCanMessage)}
              data-testid="privacy-who-can-message"
            >
              <option value="everyone">Everyone</option>
              <option value="contacts">Only my contacts</option>
            </NativeSelect>
            <p className="text-xs text-zinc-600" id="privacy-who-can-message-help">
              Also who can add you to a group. Conversations you already have stay as they are.
            </p>
          </div>
        </fieldset>

        <FormError>{errors._form}</FormError>
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={busy} data-testid="profile-save">
            {busy ? <Spinner label="Saving" /> : 'Save changes'}
          </Button>
          {saved && (
            <span className="flex items-center gap-1 text-sm text-green-700" role="status" data-testid="profile-saved">
              <CheckIcon className="size-4" aria-hidden /> Saved
            </span>
          )}
        </div>
      </form>
    </Section>
  );
}

function ToggleRow({ id, label, help, checked, onChange }: { id: string; label: string; help: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="flex items-start justify-between gap-4">
      <div>
        <Label htmlFor={id}>{label}</Label>
        <p id={`${id}-help`} className="mt-1 text-xs text-zinc-600">
          {help}
        </p>
      </div>
      <Switch id={id} checked={checked} onCheckedChange={onChange} aria-describedby={`${id}-help`} data-testid={id} />
    </div>
  );
}


function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const problems = passwordProblems(next);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    if (problems.length > 0) {
      setErrors({ newPassword: `The password needs ${problems.join(', ')}.` });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api.post('/api/me/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      setErrors(err instanceof ApiError && err.code === 'PASSWORD_WRONG' ? { currentPassword: err.message } : fieldErrors(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Password" description="Changing it signs out your other sessions." testId="password-section">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4">
        <div className="flex flex-col gap-2">
          <Label htmlFor="current-password">Current password</Label>
          <PasswordInput id="current-password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="current-password" />
          <FormError>{errors.currentPassword}</FormError>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="new-password">New password</Label>
          <PasswordInput
            id="new-password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => {
              setNext(e.target.value);
              setErrors((prev) => ({ ...prev, newPassword: '' }));
            }}
            aria-describedby="new-password-rules"
            data-testid="new-password"
          />
          <PasswordRules id="new-password-rules" password={next} />
          <FormError>{errors.newPassword}</FormError>
        </div>
        <FormError>{errors._form}</FormError>
        <div className="flex items-center gap-3">
          <Button type="submit" variant="outline" disabled={busy || !current || !next} data-testid="change-password">
            {busy ? <Spinner label="Changing the password" /> : 'Change password'}
          </Button>
          {done && (
            <span className="flex items-center gap-1 text-sm text-green-700" role="status">
              <CheckIcon className="size-4" aria-hidden /> Password changed
            </span>
          )}
        </div>
      </form>
    </Section>
  );
}

function SignOutSection() {
  const { signOut } = useSession();
  const router = useRouter();
  return (
    <div className="flex justify-center">
      <Button
        variant="ghost"
        onClick={() => {
          void signOut().then(() => router.replace('/'));
        }}
        data-testid="account-sign-out"
      >
        <LogOutIcon aria-hidden /> Sign out
      </Button>
    </div>
  );
}
