'use client';

import {
  BLOCKED_TERM_MAX_CHARS,
  CHAT_DESCRIPTION_MAX_CHARS,
  CHAT_NAME_MAX_CHARS,
  SLOW_MODE_PRESETS_SECONDS,
  auditListSchema,
  chatViewSchema,
  reportListSchema,
  type AuditEntry,
  type ChatSettingsPatch,
  type ChatView,
  type Report,
  type Theme,
  type UpdateChatBody,
} from '@chatpop/protocol';
import { RefreshCwIcon, ShieldAlertIcon, XIcon } from 'lucide-react';
import { Tabs } from 'radix-ui';
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert, FormError, Spinner } from '@/components/ui/misc';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { Switch } from '@/components/ui/switch';
import { api, chatPath, errorMessage } from '@/lib/api';
import { formatFull } from '@/lib/format';
import { THEME_LIST } from '@/lib/themes';
import { cn } from '@/lib/utils';

const chatReply = z.object({ chat: chatViewSchema });

export function slowModeLabel(seconds: number): string {
  if (seconds === 0) return 'Off';
  return seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`;
}

/**
 * The host's and moderators' tools (SPEC §2.1, §2.4): lockdown in one tap,
 * lock, slow mode, blocked terms, the report queue and the log of every
 * action; the host also edits every setting, rotates the access code and
 * ends the chat. A sheet that follows the chat's theme.
 */
export function HostTools({
  open,
  onOpenChange,
  chat,
  isHost,
  liveReports,
  onChat,
  onReportHandled,
  onDeleteMessage,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  chat: ChatView;
  isHost: boolean;
  liveReports: Report[];
  onChat: (chat: ChatView) => void;
  onReportHandled: (id: string) => void;
  onDeleteMessage: (messageId: string) => Promise<void>;
}) {
  const [tab, setTab] = useState('controls');
  const patch = useCallback(
    async (body: UpdateChatBody) => {
      const res = await api.patch(chatPath(chat.code), body, { schema: chatReply });
      onChat(res.chat);
      return res.chat;
    },
    [chat.code, onChat],
  );
  const tabClass =
    'flex-1 rounded-lg px-2 py-2 text-sm font-medium text-muted-foreground outline-none focus-visible:ring-2 focus-visible:ring-ring data-[state=active]:bg-background data-[state=active]:text-foreground data-[state=active]:shadow-sm';

  return (
    <Sheet open={open} onOpenChange={onOpenChange}>
      <SheetContent side="right" className="w-full max-w-md gap-3 sm:w-[28rem]" data-testid="host-tools">
        <SheetHeader>
          <SheetTitle>{isHost ? 'Host tools' : 'Moderator tools'}</SheetTitle>
          <SheetDescription>Keep the chat friendly. Every action is written to the log.</SheetDescription>
        </SheetHeader>
        <Tabs.Root value={tab} onValueChange={setTab} className="flex min-h-0 flex-1 flex-col gap-3">
          <Tabs.List className="mx-4 flex gap-1 rounded-xl bg-muted p-1" aria-label="Tools">
            <Tabs.Trigger value="controls" className={tabClass} data-testid="tab-controls">
              Controls
            </Tabs.Trigger>
            <Tabs.Trigger value="reports" className={tabClass} data-testid="tab-reports">
              Reports{liveReports.length > 0 ? ` (${liveReports.length})` : ''}
            </Tabs.Trigger>
            <Tabs.Trigger value="log" className={tabClass} data-testid="tab-log">
              Log
            </Tabs.Trigger>
            {isHost && (
              <Tabs.Trigger value="settings" className={tabClass} data-testid="tab-settings">
                Settings
              </Tabs.Trigger>
            )}
          </Tabs.List>
          <div className="min-h-0 flex-1 overflow-y-auto px-4 pb-6">
            <Tabs.Content value="controls" className="outline-none">
              <Controls chat={chat} patch={patch} />
            </Tabs.Content>
            <Tabs.Content value="reports" className="outline-none">
              {tab === 'reports' && (
                <Reports code={chat.code} liveReports={liveReports} onHandled={onReportHandled} onDeleteMessage={onDeleteMessage} />
              )}
            </Tabs.Content>
            <Tabs.Content value="log" className="outline-none">
              {tab === 'log' && <AuditLog code={chat.code} />}
            </Tabs.Content>
            {isHost && (
              <Tabs.Content value="settings" className="outline-none">
                {tab === 'settings' && <SettingsForm code={chat.code} patch={patch} onChat={onChat} />}
              </Tabs.Content>
            )}
          </div>
        </Tabs.Root>
      </SheetContent>
    </Sheet>
  );
}

function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="flex flex-col gap-3 border-b border-border py-4 last:border-b-0">
      <div>
        <h3 className="font-semibold">{title}</h3>
        {description && <p className="text-sm text-muted-foreground">{description}</p>}
      </div>
      {children}
    </section>
  );
}

function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

// ---- controls -----------------------------------------------------------------

function Controls({ chat, patch }: { chat: ChatView; patch: (body: UpdateChatBody) => Promise<ChatView> }) {
  const s = chat.settings;
  const { busy, error, run } = useAction();
  const set = (settings: ChatSettingsPatch) => run(() => patch({ settings }));
  const [term, setTerm] = useState('');
  const [preset, setPreset] = useState(s.lockdown);
  useEffect(() => setPreset(s.lockdown), [s.lockdown]);
  const presetChanged =
    preset.slowModeSeconds !== s.lockdown.slowModeSeconds || preset.newcomerMinutes !== s.lockdown.newcomerMinutes || preset.blockLinks !== s.lockdown.blockLinks;

  async function addTerm(event: FormEvent) {
    event.preventDefault();
    const value = term.trim();
    if (!value) return;
    if (await set({ blockedTerms: [...s.blockedTerms, value] })) setTerm('');
  }

  return (
    <div className="flex flex-col" data-testid="host-controls">
      <Section
        title="Lockdown"
        description={`For raids, in one tap: slow mode ${slowModeLabel(s.lockdown.slowModeSeconds)}, newcomers wait ${s.lockdown.newcomerMinutes} min, ${s.lockdown.blockLinks ? 'links off' : 'links allowed'}.`}
      >
        <Button
          size="lg"
          variant={s.lockdown.active ? 'outline' : 'destructive'}
          disabled={busy}
          onClick={() => void set({ lockdown: { active: !s.lockdown.active } })}
          aria-pressed={s.lockdown.active}
          data-testid="lockdown-toggle"
        >
          <ShieldAlertIcon aria-hidden /> {s.lockdown.active ? 'End lockdown' : 'Start lockdown'}
        </Button>
        <details className="rounded-xl bg-muted px-3 py-2 text-sm">
          <summary className="cursor-pointer font-medium outline-none focus-visible:ring-2 focus-visible:ring-ring">Edit the preset</summary>
          <div className="mt-3 flex flex-col gap-3">
            <div className="flex items-center justify-between gap-3">
              <Label htmlFor="lockdown-slow">Slow mode</Label>
              <NativeSelect
                id="lockdown-slow"
                className="h-9 w-36"
                value={preset.slowModeSeconds}
                onChange={(e) => setPreset({ ...preset, slowModeSeconds: Number(e.target.value) })}
              >
                {SLOW_MODE_PRESETS_SECONDS.map((v) => (
                  <option key={v} value={v}>
                    {slowModeLabel(v)}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex items-center justify-between gap-3">
              <Label htmlFor="lockdown-newcomers">Newcomers wait (minutes)</Label>
              <Input
                id="lockdown-newcomers"
                type="number"
                min={0}
                max={1440}
                className="h-9 w-24"
                value={preset.newcomerMinutes}
                onChange={(e) => setPreset({ ...preset, newcomerMinutes: Math.max(0, Math.min(1440, Number(e.target.value) || 0)) })}
              />
            </div>
            <div className="flex items-center justify-between gap-3">
              <Label htmlFor="lockdown-links">Refuse links</Label>
              <Switch id="lockdown-links" checked={preset.blockLinks} onCheckedChange={(v) => setPreset({ ...preset, blockLinks: v })} />
            </div>
            <Button
              size="sm"
              variant="outline"
              disabled={busy || !presetChanged}
              onClick={() => void set({ lockdown: { slowModeSeconds: preset.slowModeSeconds, newcomerMinutes: preset.newcomerMinutes, blockLinks: preset.blockLinks } })}
            >
              Save the preset
            </Button>
          </div>
        </details>
      </Section>

      <Section title="Lock the chat" description="Read-only for participants; you and the moderators can still write.">
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor="lock-switch">{s.locked ? 'Locked' : 'Open'}</Label>
          <Switch id="lock-switch" checked={s.locked} disabled={busy} onCheckedChange={(v) => void set({ locked: v })} data-testid="lock-switch" />
        </div>
      </Section>

      <Section title="Slow mode" description="How long each participant waits between messages. You, the moderators and paid messages skip it.">
        <div className="flex flex-wrap gap-2" role="radiogroup" aria-label="Slow mode">
          {SLOW_MODE_PRESETS_SECONDS.map((v) => (
            <button
              key={v}
              type="button"
              role="radio"
              aria-checked={s.slowModeSeconds === v}
              disabled={busy}
              onClick={() => void set({ slowModeSeconds: v })}
              className={cn(
                'rounded-full px-3 py-1.5 text-sm font-medium ring-1 ring-border outline-none focus-visible:ring-2 focus-visible:ring-ring',
                s.slowModeSeconds === v ? 'bg-primary text-primary-foreground ring-primary' : 'bg-background hover:bg-accent',
              )}
              data-testid={`slow-mode-${v}`}
            >
              {slowModeLabel(v)}
            </button>
          ))}
        </div>
      </Section>

      <Section title="Blocked terms" description="Messages with these words are refused (whole words, any case or accents).">
        <form onSubmit={addTerm} className="flex gap-2">
          <Label htmlFor="blocked-term-input" className="sr-only">
            Add a blocked term
          </Label>
          <Input
            id="blocked-term-input"
            value={term}
            maxLength={BLOCKED_TERM_MAX_CHARS}
            onChange={(e) => setTerm(e.target.value)}
            placeholder="Add a word or phrase"
            className="h-10"
            data-testid="blocked-term-input"
          />
          <Button type="submit" disabled={busy || !term.trim()} data-testid="blocked-term-add">
            Add
          </Button>
        </form>
        {s.blockedTerms.length > 0 ? (
          <ul className="flex flex-wrap gap-1.5" data-testid="blocked-terms">
            {s.blockedTerms.map((t) => (
              <li key={t} className="inline-flex items-center gap-1 rounded-full bg-muted py-1 pr-1 pl-3 text-sm">
                {t}
                <button
                  type="button"
                  aria-label={`Remove ${t}`}
                  disabled={busy}
                  onClick={() => void set({ blockedTerms: s.blockedTerms.filter((x) => x !== t) })}
                  className="flex size-6 items-center justify-center rounded-full outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
                >
                  <XIcon className="size-3.5" aria-hidden />
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted-foreground">No blocked terms yet.</p>
        )}
      </Section>
      <FormError data-testid="host-controls-error">{error}</FormError>
    </div>
  );
}

// ---- reports ------------------------------------------------------------------

const REASON_LABEL: Record<Report['reason'], string> = {
  spam: 'Spam',
  harassment: 'Harassment',
  hate: 'Hate',
  sexual: 'Sexual',
  violence: 'Violence',
  other: 'Other',
};

function Reports({
  code,
  liveReports,
  onHandled,
  onDeleteMessage,
}: {
  code: string;
  liveReports: Report[];
  onHandled: (id: string) => void;
  onDeleteMessage: (messageId: string) => Promise<void>;
}) {
  const [reports, setReports] = useState<Report[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = useCallback(() => {
    setLoadError(null);
    api
      .get(chatPath(code, '/reports'), { schema: reportListSchema })
      .then((r) => setReports(r.reports))
      .catch((e: unknown) => setLoadError(errorMessage(e)));
  }, [code]);
  useEffect(load, [load]);

  // Reports that arrived while the tab was open join the list.
  const merged = reports ? [...liveReports.filter((l) => !reports.some((r) => r.id === l.id)), ...reports] : null;

  async function resolve(report: Report, status: 'dismissed' | 'actioned', deleteMessage = false) {
    const ok = await run(async () => {
      if (deleteMessage) await onDeleteMessage(report.messageId);
      await api.post(chatPath(code, `/reports/${report.id}/resolve`), { status });
    });
    if (ok) {
      setReports((list) => (list ?? []).filter((r) => r.id !== report.id));
      onHandled(report.id);
    }
  }

  if (loadError) return <Alert title="Couldn't load the reports" action={<Button size="sm" variant="outline" onClick={load}>Try again</Button>}>{loadError}</Alert>;
  if (!merged) return <div className="flex justify-center py-8"><Spinner label="Loading reports" /></div>;
  return (
    <div className="flex flex-col gap-3 py-2" data-testid="reports">
      {merged.length === 0 ? (
        <p className="py-8 text-center text-sm text-muted-foreground">No open reports. 🎉</p>
      ) : (
        merged.map((r) => (
          <article key={r.id} className="flex flex-col gap-2 rounded-2xl border border-border p-3" data-testid="report">
            <p className="text-xs text-muted-foreground">
              <span className="font-semibold text-foreground">{REASON_LABEL[r.reason]}</span> · reported by {r.reporter?.username ?? 'someone'} ·{' '}
              {formatFull(r.createdAt)}
            </p>
            <blockquote className="rounded-xl bg-muted px-3 py-2 text-sm break-words">
              <span className="font-semibold">{r.message?.username ?? 'Someone'}:</span>{' '}
              {r.message?.deletedAt ? <em>deleted</em> : r.message?.content}
            </blockquote>
            {r.note && <p className="text-sm">“{r.note}”</p>}
            <div className="flex flex-wrap gap-2">
              {!r.message?.deletedAt && (
                <Button size="sm" variant="destructive" disabled={busy} onClick={() => void resolve(r, 'actioned', true)} data-testid="report-delete">
                  Delete message
                </Button>
              )}
              <Button size="sm" variant="outline" disabled={busy} onClick={() => void resolve(r, 'actioned')}>
                Mark handled
              </Button>
              <Button size="sm" variant="ghost" disabled={busy} onClick={() => void resolve(r, 'dismissed')} data-testid="report-dismiss">
                Dismiss
              </Button>
            </div>
          </article>
        ))
      )}
      <FormError>{error}</FormError>
    </div>
  );
}

// ---- audit log ----------------------------------------------------------------

const ACTION_LABEL: Record<string, string> = {
  'member.timeout': 'timed out',
  'member.untimeout': 'lifted the time-out of',
  'member.ban': 'banned',
  'member.unban': 'unbanned',
  'member.hide': 'hid',
  'member.unhide': 'unhid',
  'member.promote': 'made a moderator:',
  'member.demote': 'removed as moderator:',
  'message.delete': 'deleted a message by',
  'settings.update': 'changed the settings',
  'chat.lock': 'locked the chat',
  'chat.unlock': 'unlocked the chat',
  'chat.lockdown_on': 'started lockdown',
  'chat.lockdown_off': 'ended lockdown',
  'chat.end': 'ended the chat',
  'access_code.rotate': 'changed the access code',
  'report.dismissed': 'dismissed a report',
  'report.actioned': 'handled a report',
};

const SETTING_LABEL: Record<string, string> = {
  name: 'name',
  description: 'description',
  access: 'access',
  accessCode: 'access code',
  slowModeSeconds: 'slow mode',
  blockedTerms: 'blocked terms',
  locked: 'lock',
  lockdown: 'lockdown preset',
  theme: 'default theme',
  media: 'media',
  backroom: 'Back Room',
  pins: 'paid pins',
  tips: 'tips',
};

/** "changed slow mode (30 s), blocked terms" from a settings entry's details. */
function settingsChange(details: Record<string, unknown> | null): string {
  const keys = Object.keys(details ?? {});
  if (keys.length === 0) return '';
  return `: ${keys
    .map((k) => (k === 'slowModeSeconds' && typeof details?.[k] === 'number' ? `slow mode (${slowModeLabel(details[k] as number)})` : (SETTING_LABEL[k] ?? k)))
    .join(', ')}`;
}

function AuditLog({ code }: { code: string }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api
      .get(chatPath(code, '/audit'), { schema: auditListSchema })
      .then((r) => setEntries(r.entries))
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [code]);
  useEffect(load, [load]);
  if (error) return <Alert title="Couldn't load the log">{error}</Alert>;
  if (!entries) return <div className="flex justify-center py-8"><Spinner label="Loading the log" /></div>;
  return (
    <div className="flex flex-col gap-2 py-2">
      <Button size="sm" variant="ghost" className="self-end" onClick={load}>
        <RefreshCwIcon aria-hidden /> Refresh
      </Button>
      {entries.length === 0 ? (
        <p className="py-8 text-center text-sm text-muted-foreground">Nothing yet.</p>
      ) : (
        <ol className="flex flex-col" data-testid="audit-log">
          {entries.map((e) => (
            <li key={e.id} className="border-b border-border py-2 text-sm last:border-b-0" data-testid="audit-entry" data-action={e.action}>
              <span className="font-semibold">{e.actor ?? 'Someone'}</span> {ACTION_LABEL[e.action] ?? e.action}
              {e.target && <span className="font-semibold"> {e.target}</span>}
              {e.action === 'member.timeout' && typeof e.details?.seconds === 'number' && ` for ${slowModeLabel(e.details.seconds as number)}`}
              {e.action === 'settings.update' && settingsChange(e.details)}
              <time className="block text-xs text-muted-foreground" dateTime={e.createdAt}>
                {formatFull(e.createdAt)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

// ---- settings (host) ------------------------------------------------------------

function SettingsForm({ code, patch, onChat }: { code: string; patch: (body: UpdateChatBody) => Promise<ChatView>; onChat: (chat: ChatView) => void }) {
  const [chat, setChat] = useState<ChatView | null>(null);
  const [form, setForm] = useState<{
    name: string;
    description: string;
    access: 'public' | 'private';
    accessCode: string;
    theme: Theme;
    media: ChatView['settings']['media'];
    backroom: { enabled: boolean; price: string; limit: string };
    pins: { enabled: boolean; price: string };
    tips: boolean;
  } | null>(null);
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);

  const fill = useCallback((c: ChatView) => {
    setChat(c);
    setForm({
      name: c.name,
      description: c.description,
      access: c.access,
      accessCode: c.accessCode ?? '',
      theme: c.settings.theme,
      media: c.settings.media,
      backroom: { enabled: c.settings.backroom.enabled, price: String(c.settings.backroom.seatPriceCents / 100), limit: String(c.settings.backroom.seatLimit) },
      pins: { enabled: c.settings.pins.enabled, price: String(c.settings.pins.basePriceCents / 100) },
      tips: c.settings.tips.enabled,
    });
  }, []);

  useEffect(() => {
    // The host's own view carries the access code.
    api
      .get(chatPath(code), { schema: z.object({ chat: chatViewSchema }) })
      .then((r) => fill(r.chat))
      .catch(() => undefined);
  }, [code, fill]);

  if (!form || !chat) return <div className="flex justify-center py-8"><Spinner label="Loading settings" /></div>;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    setSaved(false);
    const ok = await run(async () => {
      const updated = await patch({
        name: form.name,
        description: form.description,
        access: form.access,
        ...(form.access === 'private' && form.accessCode && form.accessCode !== chat?.accessCode ? { accessCode: form.accessCode } : {}),
        settings: {
          theme: form.theme,
          media: form.media,
          backroom: {
            enabled: form.backroom.enabled,
            seatPriceCents: Math.round(Number(form.backroom.price) * 100),
            seatLimit: Math.round(Number(form.backroom.limit)),
          },
          pins: { enabled: form.pins.enabled, basePriceCents: Math.round(Number(form.pins.price) * 100) },
          tips: { enabled: form.tips },
        },
      });
      fill(updated);
    });
    setSaved(ok);
  }

  const up = (patchForm: Partial<NonNullable<typeof form>>) => {
    setSaved(false);
    setForm({ ...form, ...patchForm });
  };

  return (
    <form onSubmit={save} className="flex flex-col" data-testid="settings-form" noValidate>
      <Section title="About">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="settings-name">Name</Label>
          <Input id="settings-name" value={form.name} maxLength={CHAT_NAME_MAX_CHARS} onChange={(e) => up({ name: e.target.value })} data-testid="settings-name" />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="settings-description">Description</Label>
          <Textarea id="settings-description" value={form.description} maxLength={CHAT_DESCRIPTION_MAX_CHARS} onChange={(e) => up({ description: e.target.value })} />
        </div>
      </Section>
      <Section title="Access">
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor="settings-private">Private (needs an access code)</Label>
          <Switch id="settings-private" checked={form.access === 'private'} onCheckedChange={(v) => up({ access: v ? 'private' : 'public' })} />
        </div>
        {form.access === 'private' && (
          <div className="flex items-end gap-2">
            <div className="flex flex-1 flex-col gap-1.5">
              <Label htmlFor="settings-code">Access code</Label>
              <Input id="settings-code" value={form.accessCode} onChange={(e) => up({ accessCode: e.target.value })} className="font-mono" data-testid="settings-access-code" />
            </div>
            {chat.access === 'private' && (
              <Button
                variant="outline"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    const r = await api.post(chatPath(code, '/access-code/rotate'), {}, { schema: chatReply });
                    fill(r.chat);
                    onChat(r.chat);
                  })
                }
                data-testid="rotate-code"
              >
                <RefreshCwIcon aria-hidden /> New code
              </Button>
            )}
          </div>
        )}
      </Section>
      <Section title="Look" description="The theme everyone starts with; each participant may pick their own.">
        <NativeSelect aria-label="Default theme" value={form.theme} onChange={(e) => up({ theme: e.target.value as Theme })} data-testid="settings-theme">
          {THEME_LIST.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.type})
            </option>
          ))}
        </NativeSelect>
      </Section>
      <Section title="Media">
        {/* Photos only: voice messages and videos are not built yet, and a switch that does nothing is not offered. */}
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor="settings-media-photo">Photos</Label>
          <Switch id="settings-media-photo" checked={form.media.photo} onCheckedChange={(v) => up({ media: { ...form.media, photo: v } })} />
        </div>
      </Section>
      <Section title="Earnings">
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor="settings-backroom">Back Room</Label>
          <Switch id="settings-backroom" checked={form.backroom.enabled} onCheckedChange={(v) => up({ backroom: { ...form.backroom, enabled: v } })} />
        </div>
        {form.backroom.enabled && (
          <div className="grid grid-cols-2 gap-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="settings-seat-price">Seat price ($)</Label>
              <Input id="settings-seat-price" inputMode="decimal" value={form.backroom.price} onChange={(e) => up({ backroom: { ...form.backroom, price: e.target.value } })} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="settings-seat-limit">Seats</Label>
              <Input id="settings-seat-limit" inputMode="numeric" value={form.backroom.limit} onChange={(e) => up({ backroom: { ...form.backroom, limit: e.target.value } })} />
            </div>
          </div>
        )}
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor="settings-pins">Paid pins</Label>
          <Switch id="settings-pins" checked={form.pins.enabled} onCheckedChange={(v) => up({ pins: { ...form.pins, enabled: v } })} />
        </div>
        {form.pins.enabled && (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="settings-pin-price">Base pin price ($)</Label>
            <Input id="settings-pin-price" inputMode="decimal" value={form.pins.price} onChange={(e) => up({ pins: { ...form.pins, price: e.target.value } })} />
          </div>
        )}
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor="settings-tips">Tips</Label>
          <Switch id="settings-tips" checked={form.tips} onCheckedChange={(v) => up({ tips: v })} />
        </div>
      </Section>
      <div className="sticky bottom-0 flex flex-col gap-2 border-t border-border bg-background py-3">
        <FormError data-testid="settings-error">{error}</FormError>
        {saved && (
          <p role="status" className="text-sm text-success">
            Saved.
          </p>
        )}
        <Button type="submit" disabled={busy} data-testid="settings-save">
          {busy ? <Spinner label="Saving" /> : 'Save settings'}
        </Button>
      </div>
      <Section title="End the chat" description="Ends it for good: everyone can still read, nobody can write.">
        <Button
          variant="destructive"
          disabled={busy || chat.endedAt !== null}
          onClick={() =>
            confirmEnd
              ? void run(async () => {
                  const r = await api.post(chatPath(code, '/end'), {}, { schema: chatReply });
                  fill(r.chat);
                  onChat(r.chat);
                })
              : setConfirmEnd(true)
          }
          data-testid="end-chat"
        >
          {chat.endedAt ? 'This chat has ended' : confirmEnd ? 'Tap again to end the chat' : 'End chat'}
        </Button>
      </Section>
    </form>
  );
}
