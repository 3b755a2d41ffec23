import type { Metadata } from 'next';
import { ReceiptsPage } from '@/components/payments/receipts-page';

export const metadata: Metadata = { title: 'Receipts' };

export default function Receipts() {
  return <ReceiptsPage />;
}
