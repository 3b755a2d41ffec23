import { chatViewSchema, type ChatView } from '@chatpop/protocol';

const apiUrl = () => process.env.API_URL ?? 'http://127.0.0.1:9000';
/** A link preview must not hold the page back: past this, the page goes out without one. */
const PREVIEW_TIMEOUT_MS = 1_500;

/**
 * A public chat as anyone may see it, for the page's link preview (Open
 * Graph and Twitter tags), asked of the API without the visitor's cookies.
 * Private chats, unknown codes and any failure answer null: a preview never
 * says more than a stranger may read.
 */
export async function publicChat(code: string): Promise<ChatView | null> {
  try {
    const res = await fetch(`${apiUrl()}/api/chats/${encodeURIComponent(code)}`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(PREVIEW_TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) return null;
    const parsed = chatViewSchema.safeParse(((await res.json()) as { chat?: unknown }).chat);
    return parsed.success && parsed.data.access === 'public' ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The preview's words: the chat's own description, or who hosts it and how many are in. */
export function previewDescription(chat: ChatView): string {
  if (chat.description.trim()) return chat.description.trim();
  const host = chat.host.username ? `Hosted by ${chat.host.username}` : 'A pop-up chat';
  if (chat.endedAt) return `${host}. This chat has ended.`;
  return `${host} · ${chat.onlineCount} online. Join with just a username.`;
}
