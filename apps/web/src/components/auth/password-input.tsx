'use client';

import { passwordProblems } from '@chatpop/protocol';
import { CheckIcon, CircleIcon, EyeIcon, EyeOffIcon } from 'lucide-react';
import { useState, type ComponentProps } from 'react';
import { Input } from '@/components/ui/input';
import { cn } from '@/lib/utils';

export function PasswordInput(props: Omit<ComponentProps<'input'>, 'type'>) {
  const [visible, setVisible] = useState(false);
  return (
    <div className="relative">
      <Input {...props} type={visible ? 'text' : 'password'} className="pr-11" />
      <button
        type="button"
        onClick={() => setVisible((v) => !v)}
        aria-pressed={visible}
        aria-label={visible ? 'Hide password' : 'Show password'}
        className="absolute top-1/2 right-1.5 flex size-8 -translate-y-1/2 items-center justify-center rounded-lg text-zinc-500 outline-none hover:bg-zinc-100 hover:text-zinc-900 focus-visible:ring-2 focus-visible:ring-ring"
      >
        {visible ? <EyeOffIcon className="size-4" aria-hidden /> : <EyeIcon className="size-4" aria-hidden />}
      </button>
    </div>
  );
}

/** Every password rule, as the protocol words them ("at least 8 characters", …). */
const PASSWORD_RULES = passwordProblems('');

/** The password rules under a new-password field, each ticked off as it is met (for the field's aria-describedby). */
export function PasswordRules({ id, password, testId }: { id: string; password: string; testId?: string }) {
  const problems = passwordProblems(password);
  return (
    <ul id={id} className="grid grid-cols-2 gap-x-3 gap-y-1 text-xs" data-testid={testId}>
      {PASSWORD_RULES.map((rule) => {
        const met = password.length > 0 && !problems.includes(rule);
        return (
          <li key={rule} className={cn('flex items-center gap-1.5', met ? 'text-green-700' : 'text-zinc-600')} data-met={met}>
            {met ? <CheckIcon className="size-3.5" aria-hidden /> : <CircleIcon className="size-3" aria-hidden />}
            <span>
              {rule}
              <span className="sr-only">{met ? ' (done)' : ' (needed)'}</span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
