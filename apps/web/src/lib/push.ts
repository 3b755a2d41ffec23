import { pushStatusSchema, type PushStatus } from '@chatpop/protocol';
import { api } from './api';

/**
 * Web Push on this device (docs/api.md, "Web Push"): the service worker
 * (`/sw.js`) shows what the server pushes; the subscription is the browser's,
 * registered with the server per account.
 */

export type PushSupport = 'supported' | 'unsupported' | 'denied';

export function pushSupport(): PushSupport {
  if (typeof window === 'undefined' || !('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  return Notification.permission === 'denied' ? 'denied' : 'supported';
}

/** The VAPID key as the browser wants it. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  return navigator.serviceWorker.ready;
}

/** This device's current subscription, if it has one. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (pushSupport() === 'unsupported') return null;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return (await reg?.pushManager.getSubscription()) ?? null;
}

export async function loadPushStatus(): Promise<PushStatus> {
  return api.get('/api/push', { schema: pushStatusSchema });
}

/** Asks for permission, subscribes this browser and tells the server. */
export async function subscribeThisDevice(publicKey: string): Promise<PushStatus> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('Notifications are blocked for this site in your browser settings.');
  const reg = await registration();
  const subscription = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  return api.post('/api/push/subscriptions', subscription.toJSON(), { schema: pushStatusSchema });
}

export async function unsubscribeThisDevice(): Promise<PushStatus> {
  const subscription = await currentSubscription();
  if (!subscription) return loadPushStatus();
  const { endpoint } = subscription;
  await subscription.unsubscribe();
  return api.post('/api/push/unsubscribe', { endpoint }, { schema: pushStatusSchema });
}
