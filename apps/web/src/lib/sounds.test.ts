import type { Message } from '@chatpop/protocol';
import { describe, expect, it } from 'vitest';
import { generateWav, mentions, soundFor } from './sounds';

const me = { id: 'me', username: 'Robert' };
const msg = (extra: Partial<Message>): Message => ({
  id: 'x',
  roomId: 'r',
  seq: 1,
  clientId: null,
  memberId: 'alice',
  username: 'Alice',
  verified: false,
  type: 'normal',
  content: 'hello',
  replyTo: null,
  createdAt: new Date().toISOString(),
  deletedAt: null,
  reactions: [],
  ...extra,
});

describe('sounds', () => {
  it('writes a valid 16-bit mono WAV of the right length', () => {
    const wav = generateWav([440, 880], 100, 8000);
    const text = (a: number, b: number) => String.fromCharCode(...wav.subarray(a, b));
    expect(text(0, 4)).toBe('RIFF');
    expect(text(8, 12)).toBe('WAVE');
    expect(text(36, 40)).toBe('data');
    const view = new DataView(wav.buffer);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(2 * 800 * 2);
    expect(wav.length).toBe(44 + 3200);
  });

  it('finds a mention of a name as a whole word, ignoring case', () => {
    expect(mentions('hey @robert, look', 'Robert')).toBe(true);
    expect(mentions('@Robert', 'Robert')).toBe(true);
    expect(mentions('hey @Roberta', 'Robert')).toBe(false);
    expect(mentions('mail robert@example.com', 'Robert')).toBe(false);
    expect(mentions('hey Robert', 'Robert')).toBe(false);
  });

  it('chimes for tips, pins and mentions always, for other messages only while the tab is hidden, never for my own', () => {
    expect(soundFor(msg({ type: 'tip' }), me, false)).toBe('tip');
    expect(soundFor(msg({ type: 'pin' }), me, false)).toBe('pin');
    expect(soundFor(msg({ content: 'hi @Robert' }), me, false)).toBe('mention');
    expect(soundFor(msg({}), me, false)).toBeNull();
    expect(soundFor(msg({}), me, true)).toBe('message');
    expect(soundFor(msg({ type: 'system', content: 'Bob joined' }), me, true)).toBeNull();
    expect(soundFor(msg({ memberId: 'me', content: '@Robert' }), me, true)).toBeNull();
    expect(soundFor(msg({}), null, true)).toBe('message');
  });
});
