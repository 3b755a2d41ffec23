'use client';

import {
  joinOptionsSchema,
  joinResponseSchema,
  rollResponseSchema,
  type ChatView,
  type JoinResponse,
  type PublicUser,
  type RollAllowance,
} from '@chatpop/protocol';
import { DicesIcon, HourglassIcon } from 'lucide-react';
import Link from 'next/link';
import { RadioGroup } from 'radix-ui';
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { FormError, Spinner, VerifiedBadge } from '@/components/ui/misc';
import { ApiError, api, chatPath, errorMessage } from '@/lib/api';
import { formatWait, secondsUntil } from '@/lib/format';
import { unlockAudio } from '@/lib/sounds';
import { cn } from '@/lib/utils';

/**
 * Joining a pop chat (SPEC §2.2). A visitor rolls a die for a name — there is
 * no free-text name — and joins with it; a device that already has a name
 * from other chats is offered it again. A signed-in user joins with their
 * reserved username (verified badge) by default, or rolls a random one.
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
      <DialogContent data-testid="join-modal">{open && <JoinForm chat={chat} user={user} onJoined={onJoined} />}</DialogContent>
    </Dialog>
  );
}

type Mode = 'reserved' | 'dice';

/** Where a name on the die came from: held from other chats, a roll still usable, or a fresh roll. */
type Candidate = { name: string; kind: 'owned' | 'rolled' };

const WAIT_REFRESH_MS = 15_000;
/** At or below this many rolls left in the hour, the dialog says how many. */
const FEW_ROLLS_LEFT = 3;

function JoinForm({ chat, user, onJoined }: { chat: ChatView; user: PublicUser | null; onJoined: (res: JoinResponse) => void }) {
  const reserved = user?.username ?? null;
  const [mode, setMode] = useState<Mode>(reserved ? 'reserved' : 'dice');
  const [loading, setLoading] = useState(true);
  const [candidate, setCandidate] = useState<Candidate | null>(null);
  const [rolls, setRolls] = useState<RollAllowance | null>(null);
  /** When the die may be rolled again (ms since epoch), after the hour's rolls or the chat's suggestions ran out. */
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [waitReason, setWaitReason] = useState<string | null>(null);
  const [rolling, setRolling] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [signInHint, setSignInHint] = useState(false);
  const [, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api
      .get(chatPath(chat.code, '/usernames'), { schema: joinOptionsSchema })
      .then((options) => {
        if (cancelled) return;
        setRolls(options.rolls);
        if (options.owned) setCandidate({ name: options.owned, kind: 'owned' });
        else if (options.rolled) setCandidate({ name: options.rolled, kind: 'rolled' });
        if (options.rolls.remaining === 0 && options.rolls.resetsAt) setWaitUntil(Date.parse(options.rolls.resetsAt));
      })
      .catch((err: unknown) => !cancelled && setError(errorMessage(err)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [chat.code]);

  // The wait line counts down; once it is over the die works again.
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setInterval(() => {
      if (Date.now() >= waitUntil) {
        setWaitUntil(null);
        setWaitReason(null);
        setRolls((r) => (r ? { ...r, remaining: Math.max(r.remaining, 1) } : r));
      }
      setTick((n) => n + 1);
    }, WAIT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [waitUntil]);

  const roll = useCallback(async () => {
    setRolling(true);
    setError(null);
    setSignInHint(false);
    try {
      const res = await api.post(chatPath(chat.code, '/usernames/roll'), {}, { schema: rollResponseSchema });
      setCandidate({ name: res.username, kind: 'rolled' });
      setRolls(res.rolls);
      if (res.rolls.remaining === 0 && res.rolls.resetsAt) setWaitUntil(Date.parse(res.rolls.resetsAt));
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'ROLLS_EXHAUSTED' || err.code === 'RATE_LIMITED')) {
        setWaitUntil(Date.now() + (err.retryAfterSeconds ?? 60 * 60) * 1000);
        setWaitReason(err.code === 'RATE_LIMITED' ? 'Too many names suggested in this chat.' : null);
        setRolls((r) => (r ? { ...r, remaining: 0 } : r));
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setRolling(false);
    }
  }, [chat.code]);

  // A newcomer finds a name already rolled ("Join as SwiftWolf123"): joining is one more tap.
  const [preRolled, setPreRolled] = useState(false);
  useEffect(() => {
    if (loading || mode !== 'dice' || candidate || preRolled || waitUntil !== null || (rolls !== null && rolls.remaining === 0)) return;
    setPreRolled(true);
    void roll();
  }, [loading, mode, candidate, preRolled, waitUntil, rolls, roll]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    // The join tap is the gesture iOS needs before any sound may play (seed guide, "Audio").
    unlockAudio();
    const body = mode === 'reserved' ? {} : candidate ? { username: candidate.name } : null;
    if (!body) return;
    setBusy(true);
    setError(null);
    setSignInHint(false);
    try {
      onJoined(await api.post(chatPath(chat.code, '/join'), body, { schema: joinResponseSchema }));
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'USERNAME_TAKEN' || err.code === 'USERNAME_NOT_ROLLED')) {
        // The name went (or its hour ran out): the die is the way on.
        setCandidate(null);
        setError(err.code === 'USERNAME_TAKEN' ? err.message : 'That name is no longer yours to take. Roll the dice for a new one.');
      } else {
        setSignInHint(err instanceof ApiError && err.code === 'ANONYMOUS_LIMIT_REACHED');
        setError(errorMessage(err));
      }
      setBusy(false);
    }
  }

  const waitSeconds = waitUntil !== null ? secondsUntil(new Date(waitUntil).toISOString()) : null;
  const canRoll = !rolling && waitSeconds === null && (rolls === null || rolls.remaining > 0);
  const joinName = mode === 'reserved' ? reserved : (candidate?.name ?? null);
  const nextPath = `/chat/${chat.code}`;

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-5">
      <DialogHeader>
        <DialogTitle>Join {chat.name}</DialogTitle>
        <DialogDescription>
          {user
            ? 'Chat as your reserved username, or roll the dice for a random name.'
            : 'Roll the dice for your name. No account needed.'}
        </DialogDescription>
      </DialogHeader>

      {reserved && (
        <RadioGroup.Root
          value={mode}
          onValueChange={(v) => {
            setMode(v as Mode);
            setError(null);
          }}
          aria-label="Name to join with"
          className="grid grid-cols-2 gap-2"
          data-testid="join-mode"
        >
          <ModeOption value="reserved" testId="mode-reserved">
            <span className="flex items-center gap-1 font-semibold">
              <span className="truncate">{reserved}</span>
              <VerifiedBadge className="size-3.5" />
            </span>
            <span className="text-xs text-muted-foreground">Your username</span>
          </ModeOption>
          <ModeOption value="dice" testId="mode-dice">
            <span className="flex items-center gap-1 font-semibold">
              <DicesIcon className="size-4" aria-hidden /> Random
            </span>
            <span className="text-xs text-muted-foreground">No badge</span>
          </ModeOption>
        </RadioGroup.Root>
      )}

      {mode === 'dice' && (
        <div className="flex flex-col items-center gap-3" data-testid="dice">
          {loading ? (
            <div className="flex h-36 items-center justify-center text-muted-foreground" data-testid="dice-loading">
              <Spinner label="Getting ready" />
            </div>
          ) : (
            <>
              <button
                type="button"
                onClick={() => void roll()}
                disabled={!canRoll}
                aria-label={candidate ? 'Roll again for another name' : 'Roll the dice for a name'}
                className={cn(
                  'group flex size-20 items-center justify-center rounded-3xl bg-primary text-primary-foreground shadow-lg shadow-primary/30 transition-transform outline-none',
                  'hover:scale-105 active:scale-95 focus-visible:ring-4 focus-visible:ring-ring/50 focus-visible:ring-offset-2 focus-visible:ring-offset-background',
                  'disabled:cursor-not-allowed disabled:opacity-50 disabled:shadow-none disabled:hover:scale-100',
                )}
                data-testid="roll-button"
              >
                <DicesIcon className={cn('size-10', rolling && 'animate-tumble')} aria-hidden />
              </button>
              <div className="flex min-h-16 w-full flex-col items-center justify-center rounded-2xl border border-dashed border-border bg-muted/60 px-3 py-3 text-center">
                {rolling && !candidate ? (
                  <span className="text-sm text-muted-foreground">Rolling…</span>
                ) : candidate ? (
                  <>
                    <span
                      key={candidate.name}
                      className={cn('animate-name-in font-mono text-2xl font-bold tracking-tight break-all', rolling && 'opacity-40')}
                      data-testid="rolled-name"
                      aria-live="polite"
                    >
                      {candidate.name}
                    </span>
                    {candidate.kind === 'owned' && (
                      <span className="mt-1 text-xs text-muted-foreground" data-testid="owned-note">
                        {user ? `Welcome back: you chat as ${candidate.name} in other chats too.` : `Welcome back: this device chats as ${candidate.name} everywhere.`}
                      </span>
                    )}
                    {!user && (
                      <Link
                        href={`/register?username=${encodeURIComponent(candidate.name)}&next=${encodeURIComponent(nextPath)}`}
                        className="mt-1 text-xs font-medium text-primary underline-offset-4 outline-none hover:underline focus-visible:underline"
                        data-testid="reserve-link"
                      >
                        Make it yours with a free account
                      </Link>
                    )}
                  </>
                ) : (
                  <span className="text-sm text-muted-foreground" data-testid="roll-prompt">
                    Tap the die to get your name
                  </span>
                )}
              </div>
              <RollsLine rolls={rolls} waitSeconds={waitSeconds} waitReason={waitReason} />
            </>
          )}
        </div>
      )}

      {mode === 'reserved' && (
        <p className="flex items-center gap-1.5 text-sm text-muted-foreground" data-testid="reserved-note">
          <VerifiedBadge className="size-4" /> Everyone sees the verified badge next to {reserved}.
        </p>
      )}

      {error && (
        <FormError data-testid="join-error">
          {error}
          {signInHint && (
            <>
              {' '}
              <Link href={`/login?next=${encodeURIComponent(nextPath)}`} className="font-medium underline underline-offset-4">
                Sign in
              </Link>
            </>
          )}
        </FormError>
      )}
      <Button type="submit" size="lg" disabled={busy || !joinName} data-testid="join-submit">
        {busy ? <Spinner label="Joining" /> : joinName ? <span className="truncate">Join as {joinName}</span> : 'Roll a name to join'}
      </Button>
    </form>
  );
}

function ModeOption({ value, testId, children }: { value: Mode; testId: string; children: ReactNode }) {
  return (
    <RadioGroup.Item
      value={value}
      data-testid={testId}
      className={cn(
        'flex min-w-0 cursor-pointer flex-col items-start gap-0.5 rounded-xl border border-border bg-background px-3 py-2.5 text-left text-sm outline-none transition-colors',
        'hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring data-[state=checked]:border-primary data-[state=checked]:ring-1 data-[state=checked]:ring-primary',
      )}
    >
      {children}
    </RadioGroup.Item>
  );
}

function RollsLine({ rolls, waitSeconds, waitReason }: { rolls: RollAllowance | null; waitSeconds: number | null; waitReason: string | null }) {
  if (waitSeconds !== null) {
    return (
      <p className="flex items-center gap-1.5 text-sm font-medium text-muted-foreground" data-testid="rolls-wait" role="status">
        <HourglassIcon className="size-4" aria-hidden />
        {waitReason ?? 'No rolls left.'} Next roll in {formatWait(waitSeconds)}.
      </p>
    );
  }
  // A newcomer is not greeted with limits: the count shows only when few rolls are left.
  if (!rolls || rolls.remaining > FEW_ROLLS_LEFT) return null;
  return (
    <p className="text-sm text-muted-foreground" data-testid="rolls-left">
      {rolls.remaining} {rolls.remaining === 1 ? 'roll' : 'rolls'} left this hour
    </p>
  );
}
