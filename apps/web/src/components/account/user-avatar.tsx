import type { PublicUser } from '@chatpop/protocol';
import { avatarColour, initial } from '@/lib/format';
import { cn } from '@/lib/utils';

/** The account's avatar, or its initial on a colour of its own. */
export function UserAvatar({ user, className }: { user: Pick<PublicUser, 'avatarUrl' | 'username' | 'displayName' | 'email'>; className?: string }) {
  const name = user.displayName ?? user.username ?? user.email;
  if (user.avatarUrl) {
    return <img src={user.avatarUrl} alt="" className={cn('size-10 shrink-0 rounded-full object-cover', className)} data-testid="user-avatar" />;
  }
  return (
    <span
      className={cn('flex size-10 shrink-0 items-center justify-center rounded-full font-semibold text-white', avatarColour(name), className)}
      aria-hidden
      data-testid="user-avatar"
    >
      {initial(name)}
    </span>
  );
}
