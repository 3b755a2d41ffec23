'use client';

import { notificationListSchema, notificationsReadResponseSchema, type NotificationNewPayload, type NotificationsReadPayload } from '@chatpop/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';
import { accountConnection } from './inbox-connection';
import { applyNew, applyRead, emptyBell, fromList, titleWithCount, withMore, type BellState } from './notifications';

export type BellStatus = 'loading' | 'ready' | 'error';

/**
 * The signed-in user's notifications: fetched, then kept live over the tab's
 * account connection, and fetched again on every reconnect (what was sent
 * while away is not replayed).
 */
export function useNotifications(enabled: boolean) {
  const [state, setState] = useState<BellState>(emptyBell);
  const [status, setStatus] = useState<BellStatus>('loading');
  const cursor = useRef<string | null>(null);
  cursor.current = state.nextCursor;

  useEffect(() => {
    if (!enabled) return;
    const connection = accountConnection();
    let cancelled = false;
    let events = 0;
    const load = async () => {
      const since = events;
      try {
        const list = await api.get('/api/notifications', { schema: notificationListSchema });
        // An event that came after the request left is newer than its answer: fetch once more.
        if (cancelled) return;
        if (events !== since) return void load();
        setState(fromList(list));
        setStatus('ready');
      } catch {
        if (!cancelled) setStatus((s) => (s === 'ready' ? s : 'error'));
      }
    };
    const onNew = (payload: NotificationNewPayload) => {
      events++;
      setState((s) => applyNew(s, payload));
    };
    const onRead = (payload: NotificationsReadPayload) => {
      events++;
      setState((s) => applyRead(s, payload));
    };
    connection.socket.on('notification:new', onNew);
    connection.socket.on('notifications:read', onRead);
    const offConnect = connection.onConnect(() => void load());
    const release = connection.acquire();
    void load();
    return () => {
      cancelled = true;
      connection.socket.off('notification:new', onNew);
      connection.socket.off('notifications:read', onRead);
      offConnect();
      release();
    };
  }, [enabled]);

  const markRead = useCallback(async (ids: string[] | null) => {
    const res = await api.post('/api/notifications/read', ids ? { ids } : { all: true }, { schema: notificationsReadResponseSchema });
    setState((s) => applyRead(s, { ids, unread: res.unread }));
  }, []);

  const loadMore = useCallback(async () => {
    if (!cursor.current) return;
    const page = await api.get(`/api/notifications?cursor=${encodeURIComponent(cursor.current)}`, { schema: notificationListSchema });
    setState((s) => withMore(s, page));
  }, []);

  return { ...state, status, markRead, loadMore };
}

/** Keeps the unread count in front of the tab's title, whatever title the page sets. */
export function useTitleCount(unread: number) {
  useEffect(() => {
    const apply = () => {
      const next = titleWithCount(document.title, unread);
      if (next !== document.title) document.title = next;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      const bare = titleWithCount(document.title, 0);
      if (bare !== document.title) document.title = bare;
    };
  }, [unread]);
}
