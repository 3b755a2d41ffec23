import type { Metadata } from 'next';
import { ProfilePage } from '@/components/account/profile-page';

export const metadata: Metadata = { title: 'Your account' };

export default function AccountPage() {
  return <ProfilePage />;
}
