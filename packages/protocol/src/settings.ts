import { z } from 'zod';

/**
 * Runtime settings (SPEC §5): kept in the `settings` table, editable without a
 * deploy. Each has a schema, a default used until someone sets it, and a line
 * for the admin console.
 */
export const RUNTIME_SETTINGS = {
  usernameRollsPerHour: {
    schema: z.number().int().min(1).max(1000),
    default: 10,
    description: 'Username dice rolls per device (or signed-in user) per hour.',
  },
  anonymousNamesPerIpPerChat: {
    schema: z.number().int().min(1).max(1000),
    default: 3,
    description: 'New anonymous participants one IP address may add to one chat.',
  },
  platformFeeBasisPoints: {
    schema: z.number().int().min(0).max(5000),
    default: 1000,
    description: 'Platform fee on every payment, in hundredths of a percent (1000 = 10 %).',
  },
  dailySpendingCapCents: {
    schema: z.number().int().min(100).max(10_000_000),
    default: 50_000,
    description: 'What one participant (account or device) may pay per day across all chats, in cents.',
  },
  messageEditWindowSeconds: {
    schema: z.number().int().min(0).max(7 * 24 * 60 * 60),
    default: 15 * 60,
    description: 'How long after sending an Inbox message its author may edit it, by the server clock (0: no edits).',
  },
} as const;

export type SettingKey = keyof typeof RUNTIME_SETTINGS;
export type SettingValue<K extends SettingKey> = z.output<(typeof RUNTIME_SETTINGS)[K]['schema']>;
export const SETTING_KEYS = Object.keys(RUNTIME_SETTINGS) as SettingKey[];
