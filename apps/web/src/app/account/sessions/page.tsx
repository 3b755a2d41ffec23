import type { Metadata } from 'next';
import { SessionsPage } from '@/components/account/sessions-page';

export const metadata: Metadata = { title: 'Sessions' };

export default function AccountSessionsPage() {
  return <SessionsPage />;
}
