import { clsx, type ClassValue } from 'clsx';
import { twMerge } from 'tailwind-merge';

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

const SAME_SITE = 'http://same-site.invalid';

/**
 * A `?next=` target we are willing to follow: a path on this site, nothing
 * else. It is resolved as the browser would (which drops tabs and newlines
 * and reads `\\` as `/`, so `/\t/evil.example` is `//evil.example`) and kept
 * only when it stays on this origin; what is returned is that resolved path.
 */
export function safeNextPath(next: string | string[] | null | undefined, fallback = '/'): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(value, SAME_SITE);
  } catch {
    return fallback;
  }
  if (url.origin !== SAME_SITE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** A random id for optimistic sends: 32 hex characters, within the protocol's `[A-Za-z0-9_-]{8,64}`. */
export function newClientId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID().replaceAll('-', '');
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function formatCents(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}
