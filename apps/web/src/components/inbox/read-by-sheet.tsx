'use client';

import type { ConversationMember, Message } from '@chatpop/protocol';
import { CheckCheckIcon, CheckIcon, EyeOffIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet';
import { personName, readersOf } from '@/lib/inbox';
import { ConversationAvatar } from './conversation-avatar';

/** Who has read one of my group messages, who has it, and who not yet (SPEC §4, "the full list"). */
export function ReadBySheet({
  message,
  members,
  myMemberId,
  onClose,
}: {
  message: Message | null;
  members: ConversationMember[];
  myMemberId: string;
  onClose: () => void;
}) {
  const seq = message?.seq ?? 0;
  const read = readersOf(members, seq, myMemberId);
  const readIds = new Set(read.map((m) => m.memberId));
  const rest = members.filter((m) => m.memberId !== myMemberId && !readIds.has(m.memberId)).sort((a, b) => personName(a).localeCompare(personName(b)));
  const delivered = rest.filter((m) => m.deliveredSeq >= seq);
  const waiting = rest.filter((m) => m.deliveredSeq < seq);

  return (
    <Sheet open={message !== null} onOpenChange={(open) => !open && onClose()}>
      <SheetContent side="bottom" className="mx-auto max-w-lg gap-3 px-4 pb-6" data-testid="read-by-sheet">
        <SheetHeader className="px-1 pt-4">
          <SheetTitle>Message info</SheetTitle>
          <SheetDescription className="line-clamp-3 break-words whitespace-pre-wrap">{message?.content}</SheetDescription>
        </SheetHeader>
        <div className="flex flex-col gap-4 overflow-y-auto px-1">
          <Group title="Read by" icon={<CheckCheckIcon className="size-4 text-primary" aria-hidden />} people={read} testId="read-by-read" />
          <Group
            title="Delivered to"
            icon={<CheckCheckIcon className="size-4 text-muted-foreground" aria-hidden />}
            people={delivered}
            testId="read-by-delivered"
            note={(m) => (m.readSeq === null ? 'read receipts hidden' : null)}
          />
          <Group title="Not delivered yet" icon={<CheckIcon className="size-4 text-muted-foreground" aria-hidden />} people={waiting} testId="read-by-waiting" />
        </div>
      </SheetContent>
    </Sheet>
  );
}

function Group({
  title,
  icon,
  people,
  testId,
  note,
}: {
  title: string;
  icon: ReactNode;
  people: ConversationMember[];
  testId: string;
  note?: (m: ConversationMember) => string | null;
}) {
  if (people.length === 0) return null;
  return (
    <section aria-label={title} data-testid={testId}>
      <h3 className="mb-1.5 flex items-center gap-1.5 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
        {icon} {title}
      </h3>
      <ul className="flex flex-col gap-1">
        {people.map((m) => {
          const extra = note?.(m);
          return (
            <li key={m.memberId} className="flex items-center gap-3 py-1">
              <ConversationAvatar name={personName(m)} avatarUrl={m.avatarUrl} className="size-8 text-xs" />
              <span className="min-w-0 flex-1 truncate text-sm font-medium">{personName(m)}</span>
              {extra && (
                <span className="flex items-center gap-1 text-xs text-muted-foreground">
                  <EyeOffIcon className="size-3.5" aria-hidden /> {extra}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
