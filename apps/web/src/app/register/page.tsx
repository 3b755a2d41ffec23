import type { Metadata } from 'next';
import { RegisterForm } from '@/components/auth/register-form';
import { safeNextPath } from '@/lib/utils';

export const metadata: Metadata = { title: 'Create an account' };

export default async function RegisterPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next, username } = await searchParams;
  return <RegisterForm next={safeNextPath(next)} username={typeof username === 'string' ? username.slice(0, 30) : ''} />;
}
