import type { Metadata } from 'next';
import { ConfirmEmail } from '@/components/auth/confirm-email';
import { safeNextPath } from '@/lib/utils';

export const metadata: Metadata = { title: 'Confirm your email', referrer: 'no-referrer' };

export default async function ConfirmEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token, next } = await searchParams;
  return <ConfirmEmail token={typeof token === 'string' ? token : ''} next={safeNextPath(next)} />;
}
