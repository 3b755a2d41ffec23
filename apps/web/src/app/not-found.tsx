import Link from 'next/link';
import { PageShell } from '@/components/site/page-shell';
import { Button } from '@/components/ui/button';

export default function NotFound() {
  return (
    <PageShell>
      <div className="mx-auto flex max-w-md flex-col items-center gap-4 pt-24 text-center">
        <p className="text-6xl font-black text-violet-200">404</p>
        <h1 className="text-2xl font-bold text-zinc-900">This page does not exist</h1>
        <p className="text-zinc-600">The link may be mistyped, or the page moved.</p>
        <Button asChild>
          <Link href="/">Back to ChatPop</Link>
        </Button>
      </div>
    </PageShell>
  );
}
