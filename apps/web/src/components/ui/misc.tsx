import { AlertCircleIcon, BadgeCheckIcon, Loader2Icon } from 'lucide-react';
import type { ComponentProps, ReactNode } from 'react';
import { cn } from '@/lib/utils';

export function Spinner({ className, label = 'Loading' }: { className?: string; label?: string }) {
  return (
    <span role="status" className={cn('inline-flex items-center', className)}>
      <Loader2Icon className="size-5 animate-spin" aria-hidden />
      <span className="sr-only">{label}</span>
    </span>
  );
}

/** The verified badge (SPEC §2.3): a signed-in participant wearing their reserved username. */
export function VerifiedBadge({ className }: { className?: string }) {
  return (
    <BadgeCheckIcon
      data-testid="verified-badge"
      className={cn('inline size-4 shrink-0 text-sky-600 dark:text-sky-400', className)}
      aria-label="Verified"
      role="img"
    />
  );
}

export function FormError({ children, className, ...props }: ComponentProps<'p'>) {
  if (!children) return null;
  return (
    <p role="alert" className={cn('flex items-start gap-1.5 text-sm text-destructive', className)} {...props}>
      <AlertCircleIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>{children}</span>
    </p>
  );
}

export function Alert({
  title,
  children,
  action,
  tone = 'error',
  className,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  tone?: 'error' | 'info';
  className?: string;
}) {
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={cn(
        'flex flex-col gap-2 rounded-2xl border p-4 text-sm',
        tone === 'error'
          ? 'border-red-200 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100'
          : 'border-border bg-muted text-foreground',
        className,
      )}
    >
      <p className="font-semibold">{title}</p>
      {children && <div className="leading-relaxed">{children}</div>}
      {action && <div className="pt-1">{action}</div>}
    </div>
  );
}

export function Badge({ className, ...props }: ComponentProps<'span'>) {
  return (
    <span
      className={cn('inline-flex items-center rounded-full px-2 py-0.5 text-[0.6875rem] font-semibold uppercase tracking-wide', className)}
      {...props}
    />
  );
}
