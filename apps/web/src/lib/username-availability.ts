'use client';

import { checkUsername, usernameCheckResponseSchema, type UsernameCheckResponse } from '@chatpop/protocol';
import { useEffect, useState } from 'react';
import { api } from './api';

export type Availability =
  | { status: 'empty' }
  | { status: 'checking'; username: string }
  | { status: 'available' | 'yours' | 'taken' | 'invalid'; username: string; message: string }
  /** The server could not be asked: say nothing either way, registration will tell. */
  | { status: 'unknown'; username: string };

export const AVAILABILITY_DEBOUNCE_MS = 350;

/**
 * What the form shows at once, before asking the server: an empty field, or a
 * rule the shared validator already sees broken (the same words the server
 * would use). Null when only the server can tell.
 */
export function localAvailability(input: string): Availability | null {
  if (input.trim() === '') return { status: 'empty' };
  const check = checkUsername(input);
  if (!check.ok) return { status: 'invalid', username: check.username, message: check.message ?? 'Check the username.' };
  return null;
}

export function fromServer(res: UsernameCheckResponse): Availability {
  if (res.available) return { status: res.yours ? 'yours' : 'available', username: res.username, message: res.message };
  return { status: res.reason === 'taken' ? 'taken' : 'invalid', username: res.username, message: res.message };
}

/**
 * Live availability of a typed username for the registration form: the
 * shared rules at once, then `GET /api/usernames/check` once typing pauses.
 * A stale answer (for an earlier spelling) is dropped.
 */
export function useUsernameAvailability(input: string): Availability {
  const local = localAvailability(input);
  const trimmed = input.trim();
  const [remote, setRemote] = useState<Availability | null>(null);

  useEffect(() => {
    if (localAvailability(input) !== null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .get(`/api/usernames/check?username=${encodeURIComponent(trimmed)}`, { schema: usernameCheckResponseSchema, signal: controller.signal, refresh: false })
        .then((res) => setRemote(fromServer(res)))
        .catch((err: unknown) => {
          if (!(err instanceof DOMException && err.name === 'AbortError')) setRemote({ status: 'unknown', username: trimmed });
        });
    }, AVAILABILITY_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [input, trimmed]);

  if (local) return local;
  if (remote && 'username' in remote && remote.username === trimmed) return remote;
  return { status: 'checking', username: trimmed };
}
