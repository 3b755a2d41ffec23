'use client';

import { useEffect, useRef, useState } from 'react';
import type { ChatItem } from '@/lib/message-log';

/** A screen reader hears at most one announcement this often, however fast the chat goes. */
export const ANNOUNCE_EVERY_MS = 3_000;
/** An announcement is cleared once read out: the live region does not keep messages' text around. */
const CLEAR_AFTER_MS = 5_000;
const SPOKEN_CHARS = 140;

/**
 * What a screen reader says about new messages from others: one message is
 * read out as "name: text"; a burst becomes "12 new messages. Latest from
 * name: text", never more than one announcement per ANNOUNCE_EVERY_MS. The
 * message list itself is not a live region, so a busy chat does not flood.
 */
export function LiveAnnouncer({ items, selfId }: { items: ChatItem[]; selfId: string | null }) {
  const [text, setText] = useState('');
  const seen = useRef<number | null>(null);
  const pending = useRef<ChatItem[]>([]);
  const lastAt = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const clearTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const spokenId = useRef<string | null>(null);

  useEffect(() => {
    // A message deleted (for everyone, or for me) takes its announcement with it.
    if (spokenId.current && !items.some((i) => i.message.id === spokenId.current && !i.message.deletedAt)) {
      spokenId.current = null;
      setText('');
    }
    const sent = items.filter((i) => i.status === 'sent');
    const newest = sent.at(-1)?.message.seq ?? 0;
    // What was there when the chat opened (or a page of older history) is not news.
    if (seen.current === null) {
      seen.current = newest;
      return;
    }
    const fresh = sent.filter((i) => i.message.seq > seen.current! && i.message.memberId !== selfId && i.message.type !== 'system');
    seen.current = Math.max(seen.current, newest);
    if (fresh.length === 0) return;
    pending.current.push(...fresh);
    const speak = () => {
      timer.current = null;
      const batch = pending.current;
      pending.current = [];
      const last = batch.at(-1);
      if (!last) return;
      lastAt.current = Date.now();
      spokenId.current = last.message.id;
      if (clearTimer.current) clearTimeout(clearTimer.current);
      clearTimer.current = setTimeout(() => {
        spokenId.current = null;
        setText('');
      }, CLEAR_AFTER_MS);
      const line = `${last.message.username ?? 'Someone'}: ${last.message.deletedAt ? 'deleted message' : last.message.content.slice(0, SPOKEN_CHARS)}`;
      setText(batch.length === 1 ? line : `${batch.length} new messages. Latest from ${line}`);
    };
    if (timer.current) return;
    const wait = lastAt.current + ANNOUNCE_EVERY_MS - Date.now();
    if (wait <= 0) speak();
    else timer.current = setTimeout(speak, wait);
  }, [items, selfId]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      if (clearTimer.current) clearTimeout(clearTimer.current);
    },
    [],
  );

  return (
    <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="live-announcer">
      {text}
    </div>
  );
}
