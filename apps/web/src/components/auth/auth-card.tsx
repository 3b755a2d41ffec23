import type { ReactNode } from 'react';
import { PageShell } from '@/components/site/page-shell';

export function AuthCard({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <PageShell>
      <div className="mx-auto w-full max-w-md pt-6 sm:pt-14">
        <div className="rounded-3xl border border-zinc-200 bg-white p-6 shadow-xl shadow-violet-900/5 sm:p-8">
          <h1 className="text-2xl font-bold tracking-tight text-zinc-900">{title}</h1>
          {subtitle && <p className="mt-1.5 text-sm text-zinc-600">{subtitle}</p>}
          <div className="mt-6">{children}</div>
        </div>
        {footer && <p className="mt-5 text-center text-sm text-zinc-600">{footer}</p>}
      </div>
    </PageShell>
  );
}
