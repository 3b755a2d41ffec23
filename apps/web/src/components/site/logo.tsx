import Link from 'next/link';
import { cn } from '@/lib/utils';

export function LogoMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 64 64" className={cn('size-8', className)} aria-hidden>
      <defs>
        <linearGradient id="chatpop-logo" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#7c3aed" />
          <stop offset="1" stopColor="#db2777" />
        </linearGradient>
      </defs>
      <rect width="64" height="64" rx="16" fill="url(#chatpop-logo)" />
      <path d="M18 17h28a8 8 0 0 1 8 8v12a8 8 0 0 1-8 8H32l-10 8v-8h-4a8 8 0 0 1-8-8V25a8 8 0 0 1 8-8z" fill="#fff" />
      <circle cx="24" cy="31" r="3" fill="#7c3aed" />
      <circle cx="32" cy="31" r="3" fill="#a21caf" />
      <circle cx="40" cy="31" r="3" fill="#db2777" />
    </svg>
  );
}

export function Logo({ className }: { className?: string }) {
  return (
    <Link
      href="/"
      className={cn(
        'inline-flex items-center gap-2 rounded-lg text-lg font-bold tracking-tight outline-none focus-visible:ring-2 focus-visible:ring-ring',
        className,
      )}
    >
      <LogoMark />
      <span>ChatPop</span>
    </Link>
  );
}
