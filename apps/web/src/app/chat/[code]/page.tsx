import type { Metadata } from 'next';
import { ChatScreen } from '@/components/chat/chat-screen';
import { normalizeChatCode } from '@/lib/chat-code';
import { previewDescription, publicChat } from '@/server/public-chat';

/**
 * A public chat's link unfurls in messengers with its name, host and how
 * many are in (Open Graph and Twitter tags). A private chat's name is not on
 * the page from the server: it shows nothing before its access code, and the
 * client sets the title once it may.
 */
export async function generateMetadata({ params }: { params: Promise<{ code: string }> }): Promise<Metadata> {
  const { code } = await params;
  const normalized = normalizeChatCode(decodeURIComponent(code));
  const chat = normalized ? await publicChat(normalized) : null;
  if (!chat) return { title: 'Chat' };
  const description = previewDescription(chat);
  return {
    title: chat.name,
    description,
    openGraph: { title: chat.name, description, siteName: 'ChatPop', type: 'website' },
    twitter: { card: 'summary', title: chat.name, description },
  };
}

export default async function ChatPage({
  params,
  searchParams,
}: {
  params: Promise<{ code: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { code } = await params;
  const { created, payment, at, room } = await searchParams;
  const raw = decodeURIComponent(code);
  const seq = typeof at === 'string' && /^\d{1,9}$/.test(at) ? Number(at) : null;
  return (
    <ChatScreen
      code={normalizeChatCode(raw) ?? raw.toUpperCase()}
      created={created === '1'}
      paymentId={typeof payment === 'string' ? payment : null}
      at={seq !== null && seq > 0 ? { seq, backroom: room === 'backroom' } : null}
    />
  );
}
