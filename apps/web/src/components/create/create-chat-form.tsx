'use client';

import {
  ACCESS_CODE_MAX_CHARS,
  CHAT_DESCRIPTION_MAX_CHARS,
  CHAT_NAME_MAX_CHARS,
  SEAT_LIMIT_MAX,
  chatViewSchema,
  createChatBodySchema,
  type CreateChatBody,
  type Theme,
} from '@chatpop/protocol';
import { DicesIcon, GlobeIcon, LockIcon } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { z } from 'zod';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { Switch } from '@/components/ui/switch';
import { api, fieldErrors, isApiError } from '@/lib/api';
import { useSession } from '@/lib/session';
import { DEFAULT_THEME, THEME_LIST } from '@/lib/themes';
import { cn } from '@/lib/utils';

const SLOW_MODE_OPTIONS = [
  { value: 0, label: 'Off' },
  { value: 5, label: '5 seconds' },
  { value: 10, label: '10 seconds' },
  { value: 30, label: '30 seconds' },
  { value: 60, label: '1 minute' },
  { value: 120, label: '2 minutes' },
  { value: 300, label: '5 minutes' },
];

const PRICE_MIN_DOLLARS = 1;
const PRICE_MAX_DOLLARS = 500;

/** Letters and digits that cannot be misread (no 0/O, 1/I/L). */
const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function generateAccessCode(length = 8): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => ACCESS_CODE_ALPHABET[b % ACCESS_CODE_ALPHABET.length]).join('');
}

/** Dollars as typed → integer cents, or null when it is not a price. */
function toCents(dollars: string): number | null {
  const value = Number(dollars);
  if (!dollars.trim() || !Number.isFinite(value)) return null;
  return Math.round(value * 100);
}

/** Where a server or schema issue path lands in this form. */
const FIELD_FOR_PATH: Record<string, string> = {
  name: 'name',
  description: 'description',
  accessCode: 'accessCode',
  'settings.backroom.seatPriceCents': 'seatPrice',
  'settings.backroom.seatLimit': 'seatLimit',
  'settings.pins.basePriceCents': 'pinPrice',
  'settings.slowModeSeconds': 'slowMode',
};

function priceError(label: string, cents: number | null): string | null {
  if (cents === null || cents < PRICE_MIN_DOLLARS * 100 || cents > PRICE_MAX_DOLLARS * 100) {
    return `${label} must be between $${PRICE_MIN_DOLLARS} and $${PRICE_MAX_DOLLARS}.`;
  }
  return null;
}

export function CreateChatForm() {
  const router = useRouter();
  const { session } = useSession();

  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [access, setAccess] = useState<'public' | 'private'>('public');
  const [accessCode, setAccessCode] = useState('');
  const [theme, setTheme] = useState<Theme>(DEFAULT_THEME);
  const [slowMode, setSlowMode] = useState(0);
  // Only photos are built: voice and video switches would do nothing, so the form does not offer them.
  const [media, setMedia] = useState({ photo: false });
  const [backroomEnabled, setBackroomEnabled] = useState(false);
  const [seatPrice, setSeatPrice] = useState('5.00');
  const [seatLimit, setSeatLimit] = useState('10');
  const [pinsEnabled, setPinsEnabled] = useState(false);
  const [pinPrice, setPinPrice] = useState('1.00');
  const [tipsEnabled, setTipsEnabled] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  // Hosting needs an account (SPEC §2.1).
  useEffect(() => {
    if (session.status === 'signed-out') router.replace('/login?next=/create');
  }, [session.status, router]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const out: Record<string, string> = {};
    const seatPriceCents = toCents(seatPrice);
    const pinPriceCents = toCents(pinPrice);
    const seats = Number(seatLimit);
    if (backroomEnabled) {
      const e = priceError('The seat price', seatPriceCents);
      if (e) out.seatPrice = e;
      if (!Number.isInteger(seats) || seats < 1 || seats > SEAT_LIMIT_MAX) out.seatLimit = `Seats must be a whole number from 1 to ${SEAT_LIMIT_MAX}.`;
    }
    if (pinsEnabled) {
      const e = priceError('The base price', pinPriceCents);
      if (e) out.pinPrice = e;
    }

    const body: CreateChatBody = {
      name,
      description,
      access,
      ...(access === 'private' && accessCode.trim() ? { accessCode: accessCode.trim() } : {}),
      settings: {
        theme,
        slowModeSeconds: slowMode,
        media,
        backroom: backroomEnabled
          ? { enabled: true, seatPriceCents: seatPriceCents ?? 0, seatLimit: seats }
          : { enabled: false },
        pins: pinsEnabled ? { enabled: true, basePriceCents: pinPriceCents ?? 0 } : { enabled: false },
        tips: { enabled: tipsEnabled },
      },
    };
    const parsed = createChatBodySchema.safeParse(body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = FIELD_FOR_PATH[issue.path.join('.')] ?? '_form';
        out[field] ??= issue.message;
      }
    }
    setErrors(out);
    if (Object.keys(out).length > 0) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }

    setBusy(true);
    try {
      const { chat } = await api.post('/api/chats', body, { schema: z.object({ chat: chatViewSchema }) });
      router.push(`/chat/${chat.code}?created=1`);
    } catch (error) {
      const raw = fieldErrors(error);
      const mapped: Record<string, string> = {};
      for (const [path, message] of Object.entries(raw)) mapped[FIELD_FOR_PATH[path] ?? '_form'] ??= message;
      if (raw._form) mapped._form = raw._form;
      setErrors(mapped);
      setBusy(false);
      if (isApiError(error) && error.status === 401) router.replace('/login?next=/create');
    }
  }

  if (session.status === 'loading' || session.status === 'signed-out') {
    return (
      <PageShell>
        <div className="flex justify-center pt-24 text-zinc-500">
          <Spinner />
        </div>
      </PageShell>
    );
  }

  return (
    <PageShell>
      <form onSubmit={submit} noValidate className="mx-auto flex max-w-2xl flex-col gap-5 pt-2 sm:pt-6" data-testid="create-form">
        <div>
          <h1 className="text-3xl font-bold tracking-tight text-zinc-900">Create a ChatPop</h1>
          <p className="mt-1 text-zinc-600">Set it up in seconds — you can change every setting later.</p>
        </div>

        {session.status === 'unknown' && (
          <Alert title="Can't reach the server">{session.error}</Alert>
        )}

        <Section title="Basics">
          <Field id="chat-name" label="Name" error={errors.name} hint={`${name.length}/${CHAT_NAME_MAX_CHARS}`}>
            {(props) => (
              <Input
                {...props}
                value={name}
                onChange={(e) => setName(e.target.value)}
                maxLength={CHAT_NAME_MAX_CHARS}
                placeholder="Friday night Q&A"
                data-testid="chat-name-input"
                required
              />
            )}
          </Field>
          <Field
            id="chat-description"
            label="Description"
            optional
            error={errors.description}
            hint={`${description.length}/${CHAT_DESCRIPTION_MAX_CHARS}`}
          >
            {(props) => (
              <Textarea
                {...props}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
                maxLength={CHAT_DESCRIPTION_MAX_CHARS}
                rows={3}
                placeholder="What is this chat about?"
                data-testid="chat-description-input"
              />
            )}
          </Field>
        </Section>

        <Section title="Access">
          <fieldset className="grid gap-3 sm:grid-cols-2">
            <legend className="sr-only">Who can see the chat</legend>
            <ChoiceCard
              name="access"
              value="public"
              checked={access === 'public'}
              onChange={() => setAccess('public')}
              icon={<GlobeIcon className="size-5" aria-hidden />}
              title="Public"
              description="Anyone with the link can read and join."
              testId="access-public"
            />
            <ChoiceCard
              name="access"
              value="private"
              checked={access === 'private'}
              onChange={() => setAccess('private')}
              icon={<LockIcon className="size-5" aria-hidden />}
              title="Private"
              description="Visitors need an access code too."
              testId="access-private"
            />
          </fieldset>
          {access === 'private' && (
            <Field
              id="chat-access-code"
              label="Access code"
              error={errors.accessCode}
              hint="4–32 characters. Leave it empty and we generate one."
            >
              {(props) => (
                <div className="flex gap-2">
                  <Input
                    {...props}
                    value={accessCode}
                    onChange={(e) => setAccessCode(e.target.value)}
                    maxLength={ACCESS_CODE_MAX_CHARS}
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono"
                    data-testid="chat-access-code-input"
                  />
                  <Button type="button" variant="outline" className="h-11" onClick={() => setAccessCode(generateAccessCode())} data-testid="generate-access-code">
                    <DicesIcon aria-hidden /> Generate
                  </Button>
                </div>
              )}
            </Field>
          )}
        </Section>

        <Section title="Look and pace">
          <fieldset>
            <legend className="mb-2 text-sm font-medium text-zinc-900">Default theme</legend>
            <div className="grid grid-cols-3 gap-2">
              {THEME_LIST.map((t) => (
                <label
                  key={t.id}
                  className={cn(
                    'flex cursor-pointer flex-col items-center gap-2 rounded-2xl border p-3 text-center text-sm transition-colors has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring',
                    theme === t.id ? 'border-violet-600 bg-violet-50 font-medium' : 'border-zinc-200 hover:bg-zinc-50',
                  )}
                >
                  <input
                    type="radio"
                    name="theme"
                    value={t.id}
                    checked={theme === t.id}
                    onChange={() => setTheme(t.id)}
                    className="sr-only"
                    data-testid={`theme-${t.id}`}
                  />
                  <span className={cn('h-8 w-full rounded-lg', t.swatch)} aria-hidden />
                  <span>{t.name}</span>
                  <span className="text-xs text-zinc-500">{t.type === 'dark' ? 'Dark' : 'Light'}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <Field id="chat-slow-mode" label="Slow mode" error={errors.slowMode} hint="Minimum time between two messages of one participant. Hosts and moderators are exempt.">
            {(props) => (
              <NativeSelect {...props} value={slowMode} onChange={(e) => setSlowMode(Number(e.target.value))} data-testid="slow-mode-select">
                {SLOW_MODE_OPTIONS.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
        </Section>

        <Section title="Media" description="What participants may share besides text.">
          <ToggleRow id="media-photo" label="Photos" checked={media.photo} onChange={(v) => setMedia({ photo: v })} />
        </Section>

        <Section title="Earn" description="Prices in US dollars.">
          <ToggleRow
            id="backroom-enabled"
            label="Back Room"
            description="Paid seats in a separate room with you."
            checked={backroomEnabled}
            onChange={setBackroomEnabled}
          />
          {backroomEnabled && (
            <div className="grid gap-4 pl-1 sm:grid-cols-2">
              <Field id="backroom-price" label="Seat price ($)" error={errors.seatPrice}>
                {(props) => (
                  <Input {...props} type="number" inputMode="decimal" min={PRICE_MIN_DOLLARS} max={PRICE_MAX_DOLLARS} step="0.01" value={seatPrice} onChange={(e) => setSeatPrice(e.target.value)} data-testid="backroom-price-input" />
                )}
              </Field>
              <Field id="backroom-seats" label="Seats" error={errors.seatLimit}>
                {(props) => (
                  <Input {...props} type="number" inputMode="numeric" min={1} max={SEAT_LIMIT_MAX} step="1" value={seatLimit} onChange={(e) => setSeatLimit(e.target.value)} data-testid="backroom-seats-input" />
                )}
              </Field>
            </div>
          )}
          <ToggleRow
            id="pins-enabled"
            label="Paid pins"
            description="Participants pay to pin a message at the top."
            checked={pinsEnabled}
            onChange={setPinsEnabled}
          />
          {pinsEnabled && (
            <div className="grid gap-4 pl-1 sm:grid-cols-2">
              <Field id="pins-price" label="Base price ($)" error={errors.pinPrice}>
                {(props) => (
                  <Input {...props} type="number" inputMode="decimal" min={PRICE_MIN_DOLLARS} max={PRICE_MAX_DOLLARS} step="0.01" value={pinPrice} onChange={(e) => setPinPrice(e.target.value)} data-testid="pins-price-input" />
                )}
              </Field>
            </div>
          )}
          <ToggleRow id="tips-enabled" label="Tips" description="Participants can tip you $1–$500." checked={tipsEnabled} onChange={setTipsEnabled} />
        </Section>

        <FormError data-testid="create-error">{errors._form}</FormError>
        <Button type="submit" size="lg" disabled={busy} className="sm:self-end" data-testid="create-submit">
          {busy ? <Spinner label="Creating" /> : 'Create chat'}
        </Button>
      </form>
    </PageShell>
  );
}

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="flex flex-col gap-4 rounded-3xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-6">
      <div>
        <h2 id={id} className="text-base font-semibold text-zinc-900">
          {title}
        </h2>
        {description && <p className="text-sm text-zinc-600">{description}</p>}
      </div>
      {children}
    </section>
  );
}

interface FieldControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
}

function Field({
  id,
  label,
  optional,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  optional?: boolean;
  hint?: string;
  error?: string;
  children: (props: FieldControlProps) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>
        {label} {optional && <span className="font-normal text-zinc-500">(optional)</span>}
      </Label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-zinc-600">
          {hint}
        </p>
      )}
      <FormError id={`${id}-error`}>{error}</FormError>
    </div>
  );
}

function ToggleRow({
  id,
  label,
  description,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  description?: string;
  checked: boolean;
  onChange: (value: boolean) => void;
}) {
  return (
    <div className="flex items-center justify-between gap-4">
      <div className="flex flex-col gap-1">
        <Label htmlFor={id}>{label}</Label>
        {description && <p className="text-xs text-zinc-600">{description}</p>}
      </div>
      <Switch id={id} checked={checked} onCheckedChange={onChange} data-testid={id} />
    </div>
  );
}

function ChoiceCard({
  name,
  value,
  checked,
  onChange,
  icon,
  title,
  description,
  testId,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: () => void;
  icon: ReactNode;
  title: string;
  description: string;
  testId: string;
}) {
  return (
    <label
      className={cn(
        'flex cursor-pointer items-start gap-3 rounded-2xl border p-4 transition-colors has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring',
        checked ? 'border-violet-600 bg-violet-50' : 'border-zinc-200 hover:bg-zinc-50',
      )}
    >
      <input type="radio" name={name} value={value} checked={checked} onChange={onChange} className="sr-only" data-testid={testId} />
      <span className={cn('mt-0.5', checked ? 'text-violet-700' : 'text-zinc-500')}>{icon}</span>
      <span className="flex flex-col gap-0.5">
        <span className="font-medium text-zinc-900">{title}</span>
        <span className="text-sm text-zinc-600">{description}</span>
      </span>
    </label>
  );
}
