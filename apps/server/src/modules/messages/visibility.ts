import type { Message } from '@chatpop/protocol';
import type { StoredMessage } from '../../infra/cache';

/**
 * A silently hidden participant's messages reach only that participant
 * (SPEC §2.4). They keep their seq; every other reader simply never gets
 * them (live, they get a `message:skip` for the seq instead). The author's
 * own copy never says it is hidden.
 */
export function visibleTo(messages: StoredMessage[], readerMemberId: string | null): Message[] {
  let out: Message[] | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.hidden === undefined) {
      out?.push(m);
      continue;
    }
    // Copy only when a page holds a hidden message: the common page passes through untouched.
    out ??= messages.slice(0, i) as Message[];
    if (!m.hidden || m.memberId === readerMemberId) out.push(publicMessage(m));
  }
  return out ?? (messages as Message[]);
}

export function publicMessage(m: StoredMessage): Message {
  if (m.hidden === undefined) return m;
  const { hidden: _hidden, ...rest } = m;
  return rest;
}

/** Seqs of a page that exist but are not for this reader, so its client can tell them from missing ones. */
export function withheldFrom(messages: StoredMessage[], readerMemberId: string | null): number[] {
  const out: number[] = [];
  for (const m of messages) if (m.hidden && m.memberId !== readerMemberId) out.push(m.seq);
  return out;
}
