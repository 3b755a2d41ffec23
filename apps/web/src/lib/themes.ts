import { THEMES, type Theme } from '@chatpop/protocol';

/**
 * The chat themes of SPEC §2.10. Every theme is explicitly light or dark (its
 * dialogs and sheets follow that type), sets the mobile browser's
 * `theme-color` to its header colour, and tiles a faint SVG pattern under the
 * messages. Layers (seed guide, "SVG Background Patterns"): pattern (no
 * z-index, pointer-events-none) < messages (z-10) < sticky section (z-20).
 */

export type ThemeType = 'light' | 'dark';

export interface ChatTheme {
  id: Theme;
  name: string;
  type: ThemeType;
  /** The header's background, also the browser's `theme-color`. */
  themeColor: string;
  /** Classes for the chat frame and anything portalled out of it (dialogs, sheets, menus). */
  scope: string;
  frame: string;
  header: string;
  headerMuted: string;
  headerButton: string;
  messagesArea: string;
  pattern: { color: string; opacity: number; size: number };
  ownBubble: string;
  ownMeta: string;
  ownQuote: string;
  otherBubble: string;
  otherMeta: string;
  otherQuote: string;
  username: string;
  /** Someone else's host message, highlighted. */
  hostBubble: string;
  /** The host's own message, on the right, still marked. */
  ownHostRing: string;
  hostLabel: string;
  systemText: string;
  sticky: string;
  stickyItem: string;
  composer: string;
  composerInput: string;
  sendButton: string;
  pill: string;
  banner: string;
  /** The Back Room line under the header. */
  backroomBar: string;
  /** A paid pin in the sticky section, under the host's messages. */
  pinItem: string;
  /** A tip message in the list, highlighted for everyone. */
  tipBubble: string;
  /** Inbox: the coloured ✓✓ on my own bubble once read. */
  readTick: string;
  swatch: string;
}

export const THEME_DEFINITIONS: Record<Theme, ChatTheme> = {
  'purple-dream': {
    id: 'purple-dream',
    name: 'Purple Dream',
    type: 'light',
    themeColor: '#f5f3ff',
    scope: 'theme-purple-dream',
    frame: 'bg-[#fbfaff] text-zinc-900',
    header: 'bg-[#f5f3ff] border-b border-violet-100 text-zinc-900',
    headerMuted: 'text-zinc-600',
    headerButton: 'text-violet-800 hover:bg-violet-100 focus-visible:ring-violet-500',
    messagesArea: 'bg-[#fbfaff]',
    pattern: { color: '#7c3aed', opacity: 0.07, size: 112 },
    ownBubble: 'bg-violet-600 text-white',
    ownMeta: 'text-violet-100',
    ownQuote: 'bg-violet-800/60 border-violet-200 text-violet-50',
    otherBubble: 'bg-white text-zinc-900 ring-1 ring-violet-100 shadow-sm',
    otherMeta: 'text-zinc-500',
    otherQuote: 'bg-violet-50 border-violet-400 text-zinc-700',
    username: 'text-violet-800',
    hostBubble: 'bg-amber-50 text-zinc-900 ring-2 ring-amber-300 shadow-sm',
    ownHostRing: 'ring-2 ring-amber-300 ring-offset-2 ring-offset-[#fbfaff]',
    hostLabel: 'bg-amber-100 text-amber-900',
    systemText: 'bg-white/80 text-zinc-600 ring-1 ring-violet-100',
    sticky: 'bg-white/85 border-b border-violet-100 shadow-sm backdrop-blur-lg',
    stickyItem: 'bg-amber-50 ring-1 ring-amber-200 text-zinc-900',
    composer: 'bg-white border-t border-violet-100',
    composerInput:
      'bg-zinc-50 text-zinc-900 placeholder:text-zinc-500 ring-1 ring-zinc-200 focus-within:ring-2 focus-within:ring-violet-500',
    sendButton: 'bg-violet-600 text-white hover:bg-violet-700 disabled:bg-zinc-200 disabled:text-zinc-500',
    pill: 'bg-violet-600 text-white shadow-lg',
    banner: 'bg-amber-100 text-amber-950 border-b border-amber-200',
    backroomBar: 'bg-violet-50 text-violet-950 border-b border-violet-100',
    pinItem: 'bg-emerald-50 ring-1 ring-emerald-300 text-zinc-900',
    tipBubble: 'bg-pink-50 text-zinc-900 ring-2 ring-pink-300 shadow-sm',
    readTick: 'text-cyan-300',
    swatch: 'bg-violet-600',
  },
  'ocean-blue': {
    id: 'ocean-blue',
    name: 'Ocean Blue',
    type: 'light',
    themeColor: '#f0f9ff',
    scope: 'theme-ocean-blue',
    frame: 'bg-[#f8fcff] text-zinc-900',
    header: 'bg-[#f0f9ff] border-b border-sky-100 text-zinc-900',
    headerMuted: 'text-zinc-600',
    headerButton: 'text-sky-900 hover:bg-sky-100 focus-visible:ring-sky-500',
    messagesArea: 'bg-[#f8fcff]',
    pattern: { color: '#0369a1', opacity: 0.07, size: 112 },
    ownBubble: 'bg-blue-700 text-white',
    ownMeta: 'text-blue-100',
    ownQuote: 'bg-blue-900/50 border-blue-200 text-blue-50',
    otherBubble: 'bg-white text-zinc-900 ring-1 ring-sky-100 shadow-sm',
    otherMeta: 'text-zinc-500',
    otherQuote: 'bg-sky-50 border-sky-500 text-zinc-700',
    username: 'text-sky-800',
    hostBubble: 'bg-amber-50 text-zinc-900 ring-2 ring-amber-300 shadow-sm',
    ownHostRing: 'ring-2 ring-amber-300 ring-offset-2 ring-offset-[#f8fcff]',
    hostLabel: 'bg-amber-100 text-amber-900',
    systemText: 'bg-white/80 text-zinc-600 ring-1 ring-sky-100',
    sticky: 'bg-white/85 border-b border-sky-100 shadow-sm backdrop-blur-lg',
    stickyItem: 'bg-amber-50 ring-1 ring-amber-200 text-zinc-900',
    composer: 'bg-white border-t border-sky-100',
    composerInput:
      'bg-zinc-50 text-zinc-900 placeholder:text-zinc-500 ring-1 ring-zinc-200 focus-within:ring-2 focus-within:ring-sky-500',
    sendButton: 'bg-blue-700 text-white hover:bg-blue-800 disabled:bg-zinc-200 disabled:text-zinc-500',
    pill: 'bg-blue-700 text-white shadow-lg',
    banner: 'bg-amber-100 text-amber-950 border-b border-amber-200',
    backroomBar: 'bg-sky-50 text-sky-950 border-b border-sky-100',
    pinItem: 'bg-emerald-50 ring-1 ring-emerald-300 text-zinc-900',
    tipBubble: 'bg-pink-50 text-zinc-900 ring-2 ring-pink-300 shadow-sm',
    readTick: 'text-cyan-300',
    swatch: 'bg-blue-700',
  },
  'dark-mode': {
    id: 'dark-mode',
    name: 'Dark Mode',
    type: 'dark',
    themeColor: '#18181b',
    scope: 'dark theme-dark-mode',
    frame: 'bg-zinc-950 text-zinc-50',
    header: 'bg-zinc-900 border-b border-zinc-800 text-zinc-50',
    headerMuted: 'text-zinc-400',
    headerButton: 'text-zinc-100 hover:bg-zinc-800 focus-visible:ring-cyan-400',
    messagesArea: 'bg-zinc-950',
    pattern: { color: '#22d3ee', opacity: 0.06, size: 112 },
    ownBubble: 'bg-cyan-400 text-zinc-950',
    ownMeta: 'text-cyan-950',
    ownQuote: 'bg-cyan-300/70 border-cyan-800 text-zinc-900',
    otherBubble: 'bg-zinc-800 text-zinc-50 ring-1 ring-zinc-700',
    otherMeta: 'text-zinc-400',
    otherQuote: 'bg-zinc-900/70 border-cyan-400 text-zinc-200',
    username: 'text-cyan-300',
    hostBubble: 'bg-zinc-800 text-zinc-50 ring-2 ring-yellow-400/80',
    ownHostRing: 'ring-2 ring-yellow-400/80 ring-offset-2 ring-offset-zinc-950',
    hostLabel: 'bg-yellow-400 text-zinc-950',
    systemText: 'bg-zinc-900/80 text-zinc-300 ring-1 ring-zinc-800',
    sticky: 'bg-zinc-900/85 border-b border-zinc-800 shadow-md backdrop-blur-lg',
    stickyItem: 'bg-zinc-800 ring-1 ring-yellow-400/50 text-zinc-50',
    composer: 'bg-zinc-900 border-t border-zinc-800',
    composerInput:
      'bg-zinc-800 text-zinc-50 placeholder:text-zinc-400 ring-1 ring-zinc-700 focus-within:ring-2 focus-within:ring-cyan-400',
    sendButton: 'bg-cyan-400 text-zinc-950 hover:bg-cyan-300 disabled:bg-zinc-800 disabled:text-zinc-400',
    pill: 'bg-cyan-400 text-zinc-950 shadow-lg',
    banner: 'bg-yellow-400 text-zinc-950 border-b border-yellow-500',
    backroomBar: 'bg-zinc-900 text-zinc-100 border-b border-zinc-800',
    pinItem: 'bg-zinc-800 ring-1 ring-emerald-400/60 text-zinc-50',
    tipBubble: 'bg-zinc-800 text-zinc-50 ring-2 ring-pink-400/80',
    readTick: 'text-blue-700',
    swatch: 'bg-zinc-900 ring-1 ring-cyan-400',
  },
};

export const THEME_LIST: ChatTheme[] = THEMES.map((id) => THEME_DEFINITIONS[id]);
export const DEFAULT_THEME: Theme = 'purple-dream';

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

export function getTheme(id: unknown): ChatTheme {
  return THEME_DEFINITIONS[isTheme(id) ? id : DEFAULT_THEME];
}

export function isDarkTheme(id: unknown): boolean {
  return getTheme(id).type === 'dark';
}

/** A small tiled pattern (chat bubbles, sparkles, dots) as a data URI, drawn in one colour. */
export function patternImage(color: string): string {
  const svg =
    `<svg xmlns='http://www.w3.org/2000/svg' width='112' height='112' viewBox='0 0 112 112' fill='none' stroke='${color}' stroke-width='2' stroke-linecap='round' stroke-linejoin='round'>` +
    `<path d='M14 14h24a7 7 0 0 1 7 7v11a7 7 0 0 1-7 7H27l-8 7v-7h-5a7 7 0 0 1-7-7V21a7 7 0 0 1 7-7z'/>` +
    `<path d='M17 25h18M17 31h11'/>` +
    `<path d='M80 12v12M74 18h12'/>` +
    `<circle cx='92' cy='50' r='3'/>` +
    `<path d='M70 66h26a6 6 0 0 1 6 6v8a6 6 0 0 1-6 6h-4v6l-7-6H70a6 6 0 0 1-6-6v-8a6 6 0 0 1 6-6z'/>` +
    `<path d='M22 76a10 10 0 0 0 16 0'/><circle cx='25' cy='68' r='1' fill='${color}'/><circle cx='35' cy='68' r='1' fill='${color}'/>` +
    `<path d='M50 44l3 6 3-6-3-6z'/>` +
    `<circle cx='52' cy='100' r='2'/>` +
    `</svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}

const themeKey = (code: string) => `chatpop:theme:${code}`;

/** A participant's own choice for one chat, remembered on this device. */
export function loadThemeChoice(code: string): Theme | null {
  try {
    const value = localStorage.getItem(themeKey(code));
    return isTheme(value) ? value : null;
  } catch {
    return null;
  }
}

export function saveThemeChoice(code: string, theme: Theme | null): void {
  try {
    if (theme) localStorage.setItem(themeKey(code), theme);
    else localStorage.removeItem(themeKey(code));
  } catch {
    // Private mode or storage full: the choice lasts for this visit only.
  }
}

/** Points the mobile browser's address bar colour at the theme's header. */
export function applyThemeColor(color: string): void {
  const metas = document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]');
  if (metas.length === 0) {
    const meta = document.createElement('meta');
    meta.name = 'theme-color';
    meta.content = color;
    document.head.appendChild(meta);
    return;
  }
  metas.forEach((meta) => {
    meta.content = color;
  });
}

/** The seed's old theme names (design1/2/3) and today's ids → a theme id, or null. */
export function migrateLegacyTheme(value: string | null | undefined): Theme | null {
  if (!value) return null;
  const legacy: Record<string, Theme> = { design1: 'purple-dream', design2: 'ocean-blue', design3: 'dark-mode', 'pink-dream': 'purple-dream' };
  const id = legacy[value] ?? value;
  return isTheme(id) ? id : null;
}

const colorKey = (code: string) => `chatpop:theme-color:${code}`;

/**
 * The header colour and light/dark type last shown for a chat on this device,
 * read by a small script in the chat layout before React starts, so a return
 * visit paints the right address-bar colour and background at once.
 */
export function rememberThemeColor(code: string, color: string, type: ThemeType): void {
  try {
    localStorage.setItem(colorKey(code), JSON.stringify({ color, type }));
  } catch {
    // Storage refused: the first paint uses the default colour.
  }
}

/** The inline script (a string) for app/chat/layout.tsx; it must stand alone. */
export const THEME_BOOT_SCRIPT = `(function(){try{var m=location.pathname.match(/^\\/chat\\/([^\\/?#]+)/);if(!m)return;var v=JSON.parse(localStorage.getItem('chatpop:theme-color:'+decodeURIComponent(m[1]).toUpperCase())||'null');if(!v||!/^#[0-9a-f]{6}$/i.test(v.color))return;document.querySelectorAll('meta[name="theme-color"]').forEach(function(e){e.setAttribute('content',v.color)});document.documentElement.style.background=v.type==='dark'?'#09090b':'';if(v.type==='dark')document.documentElement.style.colorScheme='dark';}catch(e){}})();`;
