import type { Metadata } from 'next';
import { JoinGroup } from '@/components/inbox/join-group';

export const metadata: Metadata = { title: 'Join a group', referrer: 'no-referrer' };

export default async function JoinGroupPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <JoinGroup token={decodeURIComponent(token)} />;
}
