import { chatCodeSchema } from '@chatpop/protocol';

/**
 * A chat code as typed or pasted: case-insensitive, spaces and dashes ignored,
 * and Crockford's look-alikes read as digits (I, L → 1; O → 0). A pasted chat
 * link works too. Returns null when it cannot be a chat code.
 */
export function normalizeChatCode(input: string): string | null {
  const fromLink = /\/chat\/([^/?#\s]+)/.exec(input)?.[1];
  const code = (fromLink ?? input)
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  return chatCodeSchema.safeParse(code).success ? code : null;
}
