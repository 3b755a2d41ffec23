'use client';

import { Popover as PopoverPrimitive } from 'radix-ui';
import type { ComponentProps } from 'react';
import { cn } from '@/lib/utils';
import { useThemeScope } from './theme-scope';

export const Popover = PopoverPrimitive.Root;
export const PopoverTrigger = PopoverPrimitive.Trigger;
export const PopoverClose = PopoverPrimitive.Close;

export function PopoverContent({ className, sideOffset = 6, align = 'center', ...props }: ComponentProps<typeof PopoverPrimitive.Content>) {
  const scope = useThemeScope();
  return (
    <PopoverPrimitive.Portal>
      <div className={cn(scope, 'contents')}>
        <PopoverPrimitive.Content
          data-slot="popover-content"
          sideOffset={sideOffset}
          align={align}
          collisionPadding={8}
          className={cn(
            'z-50 w-[min(24rem,calc(100vw-1rem))] rounded-2xl border border-border bg-background p-3 text-foreground shadow-xl outline-none data-[state=closed]:animate-fade-out data-[state=open]:animate-fade-in',
            className,
          )}
          {...props}
        />
      </div>
    </PopoverPrimitive.Portal>
  );
}
