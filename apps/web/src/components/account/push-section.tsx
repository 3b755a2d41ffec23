'use client';

import type { PushStatus } from '@chatpop/protocol';
import { useEffect, useState } from 'react';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { Switch } from '@/components/ui/switch';
import { errorMessage } from '@/lib/api';
import { currentSubscription, loadPushStatus, pushSupport, subscribeThisDevice, unsubscribeThisDevice, type PushSupport } from '@/lib/push';
import { Section } from './account-shell';

/** "Push notifications on this device": on and off per device, or why it cannot be. */
export function PushSection() {
  const [status, setStatus] = useState<PushStatus | null>(null);
  const [support, setSupport] = useState<PushSupport>('unsupported');
  const [subscribed, setSubscribed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setSupport(pushSupport());
    Promise.all([loadPushStatus(), currentSubscription().catch(() => null)])
      .then(([s, sub]) => {
        if (cancelled) return;
        setStatus(s);
        setSubscribed(Boolean(sub && s.enabled));
      })
      .catch((e: unknown) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
  }, []);

  async function toggle(on: boolean) {
    if (!status?.publicKey && on) return;
    setBusy(true);
    setError(null);
    try {
      const next = on ? await subscribeThisDevice(status!.publicKey!) : await unsubscribeThisDevice();
      setStatus(next);
      setSubscribed(on);
    } catch (e) {
      setError(e instanceof Error && !('status' in e) ? e.message : errorMessage(e));
      setSupport(pushSupport());
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section
      title="Push notifications"
      description="Mentions, replies, direct messages and tips on this device while ChatPop is closed. Muted conversations and the one you have open never push."
      testId="push-section"
    >
      {status === null && !error ? (
        <Spinner label="Checking push notifications" />
      ) : status && !status.enabled ? (
        <p className="text-sm text-zinc-700" data-testid="push-off">
          Push notifications are off on this server. Your notifications are still in the bell.
        </p>
      ) : support === 'unsupported' ? (
        <p className="text-sm text-zinc-700" data-testid="push-unsupported">
          This browser cannot receive push notifications. On an iPhone, add ChatPop to your Home Screen first.
        </p>
      ) : (
        <div className="flex flex-col gap-3">
          <div className="flex items-start justify-between gap-4">
            <div>
              <Label htmlFor="push-toggle">Notify me on this device</Label>
              <p id="push-toggle-help" className="mt-1 text-xs text-zinc-600">
                {support === 'denied'
                  ? 'Notifications are blocked for this site in your browser settings; allow them there first.'
                  : `${status?.devices.length ?? 0} ${status?.devices.length === 1 ? 'device gets' : 'devices get'} pushes for your account.`}
              </p>
            </div>
            <Switch
              id="push-toggle"
              checked={subscribed}
              disabled={busy || support === 'denied'}
              onCheckedChange={(v) => void toggle(v)}
              aria-describedby="push-toggle-help"
              data-testid="push-toggle"
            />
          </div>
          {status && status.devices.length > 0 && (
            <ul className="flex flex-col gap-1 text-sm text-zinc-700" aria-label="Devices that get pushes" data-testid="push-devices">
              {status.devices.map((d) => (
                <li key={d.id}>{d.label}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error && <FormError className="mt-3">{error}</FormError>}
    </Section>
  );
}
