import { SearchIcon } from 'lucide-react';
import Link from 'next/link';
import { cn } from '@/lib/utils';

/** The header's way to search, for signed-in people. */
export function SearchLink({ className }: { className?: string }) {
  return (
    <Link
      href="/search"
      aria-label="Search messages"
      className={cn(
        'relative inline-flex h-10 items-center gap-1.5 rounded-full px-2 text-sm sm:px-3 font-medium text-zinc-700 outline-none hover:bg-violet-50 hover:text-zinc-900 focus-visible:ring-2 focus-visible:ring-ring',
        className,
      )}
      data-testid="search-link"
    >
      <SearchIcon className="size-5" aria-hidden />
      <span className="hidden sm:inline">Search</span>
    </Link>
  );
}
