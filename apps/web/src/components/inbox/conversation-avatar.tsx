import { avatarColour } from '@/lib/format';
import { initials } from '@/lib/inbox';
import { cn } from '@/lib/utils';

/** A conversation's or a person's picture, or their initials on a colour of their own. */
export function ConversationAvatar({ name, avatarUrl, className }: { name: string; avatarUrl: string | null; className?: string }) {
  if (avatarUrl) {
    return <img src={avatarUrl} alt="" className={cn('size-12 shrink-0 rounded-full object-cover', className)} data-testid="conversation-avatar" />;
  }
  return (
    <span
      className={cn('flex size-12 shrink-0 items-center justify-center rounded-full text-base font-semibold text-white select-none', avatarColour(name), className)}
      aria-hidden
      data-testid="conversation-avatar"
    >
      {initials(name)}
    </span>
  );
}
