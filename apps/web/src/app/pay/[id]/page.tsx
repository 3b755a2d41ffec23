import type { Metadata } from 'next';
import { CheckoutPage } from '@/components/payments/checkout-page';

export const metadata: Metadata = { title: 'Checkout' };

export default async function PayPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CheckoutPage id={decodeURIComponent(id)} />;
}
