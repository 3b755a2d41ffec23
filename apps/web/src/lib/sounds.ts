import type { Message } from '@chatpop/protocol';

/**
 * Chat sounds that work on iOS Safari (seed guide, "Audio Implementation"):
 * HTML5 <audio> playing WAV data generated here as base64 data URLs — no
 * sound files, no Web Audio oscillators (silent on iOS). The join tap plays a
 * silent clip inside the user's gesture, which unlocks audio for the rest of
 * the visit; every later sound plays without a gesture.
 */

export type SoundName = 'message' | 'mention' | 'pin' | 'tip';

const SAMPLE_RATE = 22_050;

/** Each sound: its notes (Hz), the length of one note, and how loud. Soft by design. */
const SOUNDS: Record<SoundName, { notes: number[]; noteMs: number; volume: number }> = {
  message: { notes: [880], noteMs: 110, volume: 0.35 }, // A5, a short tick
  mention: { notes: [659.25, 987.77], noteMs: 120, volume: 0.55 }, // E5 → B5
  pin: { notes: [783.99, 987.77], noteMs: 140, volume: 0.6 }, // G5 → B5
  tip: { notes: [523.25, 659.25, 783.99, 1046.5], noteMs: 110, volume: 0.6 }, // C major arpeggio
};

/** 16-bit mono PCM WAV of the given notes, each with a quick attack and a soft decay. */
export function generateWav(notes: number[], noteMs: number, sampleRate = SAMPLE_RATE): Uint8Array {
  const perNote = Math.round((sampleRate * noteMs) / 1000);
  const samples = perNote * notes.length;
  const bytes = new Uint8Array(44 + samples * 2);
  const view = new DataView(bytes.buffer);
  const text = (offset: number, s: string) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples * 2, true);
  notes.forEach((freq, n) => {
    for (let i = 0; i < perNote; i++) {
      const t = i / sampleRate;
      const attack = Math.min(1, i / (sampleRate * 0.005));
      const decay = Math.exp((-4 * i) / perNote);
      // A touch of the octave makes it a chime rather than a beep.
      const wave = Math.sin(2 * Math.PI * freq * t) * 0.8 + Math.sin(4 * Math.PI * freq * t) * 0.2;
      view.setInt16(44 + (n * perNote + i) * 2, Math.round(wave * attack * decay * 0.6 * 32_767), true);
    }
  });
  return bytes;
}

function toDataUrl(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:audio/wav;base64,${btoa(binary)}`;
}

const urls = new Map<SoundName | 'silence', string>();
function soundUrl(name: SoundName | 'silence'): string {
  let url = urls.get(name);
  if (!url) {
    url = name === 'silence' ? toDataUrl(generateWav([0], 50)) : toDataUrl(generateWav(SOUNDS[name].notes, SOUNDS[name].noteMs));
    urls.set(name, url);
  }
  return url;
}

let unlocked = false;

/** Call inside a user's tap (the join button): iOS then lets later sounds play. */
export function unlockAudio(): void {
  if (unlocked || typeof Audio === 'undefined') return;
  unlocked = true;
  try {
    const audio = new Audio(soundUrl('silence'));
    audio.volume = 0;
    void audio.play().catch(() => {
      unlocked = false;
    });
  } catch {
    unlocked = false;
  }
}

export function audioUnlocked(): boolean {
  return unlocked;
}

export function playSound(name: SoundName): void {
  if (isMuted() || typeof Audio === 'undefined') return;
  try {
    const audio = new Audio(soundUrl(name));
    audio.volume = SOUNDS[name].volume;
    audio.dataset.sound = name;
    void audio.play().catch(() => undefined); // Not unlocked yet: stay quiet rather than fail.
  } catch {
    // No audio here (an old browser): sounds are a nicety.
  }
}

// ---- mute, remembered on this device ----------------------------------------

const MUTE_KEY = 'chatpop:sound-muted';
const muteListeners = new Set<() => void>();

export function isMuted(): boolean {
  try {
    return localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

export function setMuted(muted: boolean): void {
  try {
    if (muted) localStorage.setItem(MUTE_KEY, '1');
    else localStorage.removeItem(MUTE_KEY);
  } catch {
    // Storage refused: the switch lasts for this visit only.
  }
  muteListeners.forEach((l) => l());
}

export function subscribeMuted(listener: () => void): () => void {
  muteListeners.add(listener);
  return () => muteListeners.delete(listener);
}

// ---- which sound for which message --------------------------------------------

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a text mentions @username (case-insensitive, whole name). */
export function mentions(text: string, username: string | null | undefined): boolean {
  if (!username) return false;
  return new RegExp(`(^|[^\\w@])@${escape(username)}(?![\\w])`, 'i').test(text);
}

/**
 * The sound a live message from someone else deserves: tips and pins always,
 * a mention of me always, any other message only while the tab is hidden.
 */
export function soundFor(message: Message, me: { id: string; username: string } | null, tabHidden: boolean): SoundName | null {
  if (message.memberId !== null && message.memberId === me?.id) return null;
  if (message.deletedAt) return null;
  if (message.type === 'tip') return 'tip';
  if (message.type === 'pin') return 'pin';
  if (message.type === 'system') return null;
  if (me && mentions(message.content, me.username)) return 'mention';
  return tabHidden ? 'message' : null;
}
