import type { Metadata } from 'next';
import { EarningsPage } from '@/components/payments/earnings-page';

export const metadata: Metadata = { title: 'Earnings' };

export default function AccountEarningsPage() {
  return <EarningsPage />;
}
