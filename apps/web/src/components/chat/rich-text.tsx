import { tokenize } from 'linkifyjs';
import type { ReactNode } from 'react';
import { cn } from '@/lib/utils';

/** What a link in a message carries: no referrer, no endorsement, user content. */
export const MESSAGE_LINK_REL = 'noopener noreferrer nofollow ugc';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An http(s) address for a link token, or null for anything else (mail, other schemes). */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Text with @mentions marked; a mention of the reader stands out more. */
function withMentions(text: string, readerName: string | null, keyPrefix: string): ReactNode[] {
  if (!text.includes('@')) return [text];
  const parts = text.split(/(@[A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])/g);
  const self = readerName ? new RegExp(`^@${escape(readerName)}$`, 'i') : null;
  return parts.map((part, i) =>
    i % 2 === 1 ? (
      <span
        key={`${keyPrefix}-${i}`}
        data-testid="mention"
        data-self={self?.test(part) ? 'true' : undefined}
        className={cn('rounded px-0.5 font-semibold', self?.test(part) ? 'bg-amber-300 text-zinc-950' : 'underline decoration-2 underline-offset-2')}
      >
        {part}
      </span>
    ) : (
      part
    ),
  );
}

/**
 * A message's text as people expect to read it: web addresses are links
 * (http and https only, opened in a new tab, never with the page as opener
 * or referrer) and @mentions are marked. Everything else stays plain text:
 * nothing in a message is ever read as markup.
 */
export function RichText({ text, readerName }: { text: string; readerName: string | null }): ReactNode {
  if (!text.includes('.') && !text.includes('@')) return text;
  const out: ReactNode[] = [];
  tokenize(text).forEach((token, i) => {
    const raw = token.toString();
    const href = token.isLink && token.t === 'url' ? safeHref(token.toHref('https')) : null;
    if (href) {
      out.push(
        <a key={`l-${i}`} href={href} target="_blank" rel={MESSAGE_LINK_REL} className="break-all underline underline-offset-2" data-testid="message-link">
          {raw}
        </a>,
      );
    } else out.push(...withMentions(raw, readerName, `t-${i}`));
  });
  return out;
}
