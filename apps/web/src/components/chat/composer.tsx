'use client';

import { MESSAGE_MAX_CHARS, PHOTO_TYPES, type Attachment, type Message } from '@chatpop/protocol';
import { ArrowUpIcon, ImagePlusIcon, ReplyIcon, XIcon } from 'lucide-react';
import { AttachTray } from '@/components/media/attach-tray';
import type { PhotoUploads } from '@/components/media/use-photo-uploads';
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { insertMention, mentionAt, mentionMatches } from '@/lib/mentions';
import type { ChatTheme } from '@/lib/themes';
import { cn } from '@/lib/utils';

/** The counter shows once a message gets this close to the limit. */
const COUNTER_FROM_CHARS = MESSAGE_MAX_CHARS - 1_000;
const MAX_HEIGHT_PX = 168;
const numberFormat = new Intl.NumberFormat('en-US');

export function Composer({
  theme,
  replyTo,
  onCancelReply,
  onSend,
  onTyping,
  onBlur,
  placeholder,
  waitSeconds = 0,
  mentionNames = [],
  leading,
  photos = null,
}: {
  theme: ChatTheme;
  replyTo: Message | null;
  onCancelReply: () => void;
  onSend: (text: string, attachments: Attachment[]) => void;
  onTyping: (hasText: boolean) => void;
  onBlur: () => void;
  placeholder: string;
  /** Slow mode: seconds before the next message may go. */
  waitSeconds?: number;
  /** Participants an @mention may name (autocomplete). */
  mentionNames?: readonly string[];
  /** Before the input (the $ menu), given the text typed so far. */
  leading?: (text: string) => ReactNode;
  /** The photo uploads, where photos are allowed: an attach button and the tray of chosen photos. */
  photos?: PhotoUploads | null;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [activeMention, setActiveMention] = useState(0);
  const [mentionsClosed, setMentionsClosed] = useState(false);
  const mention = mentionAt(text, caret);
  const suggestions = mention && !mentionsClosed ? mentionMatches(mentionNames, mention.query) : [];
  const showMentions = suggestions.length > 0;

  function pickMention(name: string) {
    if (!mention) return;
    const next = insertMention(text, caret, mention.start, name);
    // Committed and the caret placed in this same event: a key typed right after the tap lands after the name.
    flushSync(() => {
      setText(next.text);
      setCaret(next.caret);
      setActiveMention(0);
    });
    inputRef.current?.focus();
    inputRef.current?.setSelectionRange(next.caret, next.caret);
  }
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const length = text.length;
  const tooLong = length > MESSAGE_MAX_CHARS;
  const pendingPhotos = photos !== null && photos.items.length > 0;
  // With photos chosen, every one must be uploaded first; the text may then be empty.
  const canSend = (pendingPhotos ? photos.ready : text.trim().length > 0) && !tooLong && waitSeconds === 0;

  // Grow with the text, up to a few lines, then scroll.
  useLayoutEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  useEffect(() => {
    if (replyTo) inputRef.current?.focus();
  }, [replyTo]);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text, photos?.take() ?? []);
    setText('');
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (showMentions) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActiveMention((i) => (i + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.nativeEvent.isComposing) {
        event.preventDefault();
        pickMention(suggestions[Math.min(activeMention, suggestions.length - 1)]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setMentionsClosed(true);
        return;
      }
    }
    // Enter sends, Shift+Enter is a new line; never while an IME is composing.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
    if (event.key === 'Escape' && replyTo) onCancelReply();
  }

  return (
    <form onSubmit={submit} className="mx-auto flex w-full max-w-3xl flex-col gap-2 px-3 pt-2 pb-3" data-testid="composer">
      {replyTo && (
        <div className="flex items-center gap-2 rounded-2xl bg-black/5 py-1.5 pr-1.5 pl-3 text-sm dark:bg-white/10" data-testid="reply-preview">
          <ReplyIcon className="size-4 shrink-0 opacity-70" aria-hidden />
          <div className="min-w-0 flex-1">
            <p className="text-xs font-semibold">Replying to {replyTo.username ?? 'a message'}</p>
            <p className="truncate opacity-80">{replyTo.content}</p>
          </div>
          <button
            type="button"
            onClick={onCancelReply}
            className="flex size-8 shrink-0 items-center justify-center rounded-full outline-none hover:bg-black/10 focus-visible:ring-2 focus-visible:ring-ring dark:hover:bg-white/10"
            aria-label="Cancel reply"
            data-testid="cancel-reply"
          >
            <XIcon className="size-4" aria-hidden />
          </button>
        </div>
      )}
      {showMentions && (
        <ul
          id="mention-list"
          role="listbox"
          aria-label="Mention someone"
          className="overflow-hidden rounded-2xl border border-border bg-background p-1 text-foreground shadow-lg"
          data-testid="mention-list"
        >
          {suggestions.map((name, i) => (
            <li
              key={name}
              id={`mention-${i}`}
              role="option"
              aria-selected={i === activeMention}
              onPointerDown={(e) => {
                // Keep the focus in the composer while choosing.
                e.preventDefault();
                pickMention(name);
              }}
              className={cn('cursor-pointer rounded-xl px-3 py-2 text-sm', i === activeMention ? 'bg-accent font-semibold' : 'hover:bg-accent')}
              data-testid="mention-option"
            >
              @{name}
            </li>
          ))}
        </ul>
      )}
      {photos && pendingPhotos && <AttachTray photos={photos} />}
      <div className={cn('flex items-end gap-2 rounded-3xl py-1.5 pr-1.5 transition-shadow', leading || photos ? 'pl-1.5' : 'pl-4', theme.composerInput)}>
        {leading?.(text)}
        {photos && (
          <>
            <button
              type="button"
              onClick={() => fileRef.current?.click()}
              className="flex size-9 shrink-0 items-center justify-center rounded-full outline-none hover:bg-black/10 focus-visible:ring-2 focus-visible:ring-ring dark:hover:bg-white/10"
              aria-label="Attach photos"
              data-testid="attach-button"
            >
              <ImagePlusIcon className="size-5" aria-hidden />
            </button>
            {/* On phones the chooser offers the camera beside the photo library. */}
            <input
              ref={fileRef}
              type="file"
              accept={PHOTO_TYPES.join(',')}
              multiple
              className="hidden"
              tabIndex={-1}
              aria-hidden
              onChange={(e) => {
                if (e.target.files?.length) photos.add(e.target.files);
                e.target.value = '';
                inputRef.current?.focus();
              }}
              data-testid="attach-input"
            />
          </>
        )}
        <label htmlFor="composer-input" className="sr-only">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={inputRef}
          value={text}
          rows={1}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart ?? e.target.value.length);
            setMentionsClosed(false);
            setActiveMention(0);
            onTyping(e.target.value.trim().length > 0);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          aria-autocomplete="list"
          aria-controls={showMentions ? 'mention-list' : undefined}
          aria-activedescendant={showMentions ? `mention-${Math.min(activeMention, suggestions.length - 1)}` : undefined}
          onKeyDown={onKeyDown}
          onBlur={onBlur}
          placeholder={placeholder}
          enterKeyHint="send"
          autoComplete="off"
          aria-invalid={tooLong}
          aria-describedby={length >= COUNTER_FROM_CHARS ? 'composer-counter' : undefined}
          className="max-h-42 min-h-9 flex-1 resize-none bg-transparent py-1.5 text-base leading-6 outline-none placeholder:text-zinc-500 dark:placeholder:text-zinc-400"
          data-testid="composer-input"
        />
        <button
          type="submit"
          disabled={!canSend}
          aria-label={waitSeconds > 0 ? `Send (slow mode: wait ${waitSeconds} seconds)` : pendingPhotos && photos.busy ? 'Send (waiting for the photos to upload)' : 'Send'}
          className={cn(
            'flex size-9 shrink-0 items-center justify-center rounded-full text-xs font-semibold tabular-nums transition-colors outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 disabled:cursor-not-allowed',
            theme.sendButton,
          )}
          data-testid="send-button"
        >
          {waitSeconds > 0 ? <span data-testid="slow-mode-wait">{waitSeconds}</span> : <ArrowUpIcon className="size-5" aria-hidden />}
        </button>
      </div>
      {length >= COUNTER_FROM_CHARS && (
        <p
          id="composer-counter"
          className={cn('px-3 text-right text-xs', tooLong ? 'font-semibold text-red-700 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400')}
          aria-live="polite"
          data-testid="char-counter"
        >
          {numberFormat.format(length)} / {numberFormat.format(MESSAGE_MAX_CHARS)}
          {tooLong && ' — too long to send'}
        </p>
      )}
    </form>
  );
}
