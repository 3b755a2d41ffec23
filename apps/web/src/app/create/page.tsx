import type { Metadata } from 'next';
import { CreateChatForm } from '@/components/create/create-chat-form';

export const metadata: Metadata = { title: 'Create a ChatPop' };

export default function CreatePage() {
  return <CreateChatForm />;
}
