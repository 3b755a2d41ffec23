'use client';

import { sessionResponseSchema, type PublicUser } from '@chatpop/protocol';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from './api';

export type SessionState =
  | { status: 'loading'; user: null; error: null }
  | { status: 'signed-in'; user: PublicUser; error: null }
  | { status: 'signed-out'; user: null; error: null }
  /** The server could not be asked (down, network): we do not know. */
  | { status: 'unknown'; user: null; error: string };

export async function fetchSession(): Promise<SessionState> {
  try {
    // Answers null rather than 401 for nobody, renewing an expired access token itself.
    const { user } = await api.get('/api/auth/session', { schema: sessionResponseSchema, refresh: false });
    return user ? { status: 'signed-in', user, error: null } : { status: 'signed-out', user: null, error: null };
  } catch (error) {
    return { status: 'unknown', user: null, error: error instanceof ApiError ? error.message : 'Something went wrong.' };
  }
}

/** Who is signed in (`GET /api/auth/session`, which renews an expired access token itself). */
export function useSession() {
  const [state, setState] = useState<SessionState>({ status: 'loading', user: null, error: null });

  const reload = useCallback(async () => {
    const next = await fetchSession();
    setState(next);
    return next;
  }, []);

  useEffect(() => {
    let cancelled = false;
    void fetchSession().then((next) => {
      if (!cancelled) setState(next);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/auth/logout', {}, { refresh: false });
    } finally {
      setState({ status: 'signed-out', user: null, error: null });
    }
  }, []);

  return { session: state, reload, signOut };
}
