import type { Metadata } from 'next';
import { OutboxPage } from '@/components/dev/outbox-page';

export const metadata: Metadata = { title: 'Dev outbox', robots: { index: false } };

export default function DevOutboxPage() {
  return <OutboxPage />;
}
