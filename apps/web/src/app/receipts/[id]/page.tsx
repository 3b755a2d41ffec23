import type { Metadata } from 'next';
import { ReceiptPage } from '@/components/payments/receipts-page';

export const metadata: Metadata = { title: 'Receipt' };

export default async function Receipt({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ReceiptPage id={decodeURIComponent(id)} />;
}
