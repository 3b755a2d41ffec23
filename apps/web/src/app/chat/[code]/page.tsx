import type { Metadata } from 'next';
import { ChatScreen } from '@/components/chat/chat-screen';
import { normalizeChatCode } from '@/lib/chat-code';

// The chat's name is not in the title on the server: a private chat shows
// nothing before its access code. The client sets the title once it may.
export const metadata: Metadata = { title: 'Chat' };

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
