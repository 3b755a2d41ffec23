import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { InboxScreen } from '@/components/inbox/inbox-screen';
import { DEFAULT_THEME, THEME_DEFINITIONS } from '@/lib/themes';

export const metadata: Metadata = { title: 'Inbox' };

// A fixed frame like the chat route's, where the on-screen keyboard resizes the
// layout; zoom stays allowed (SPEC §2.10).
export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  viewportFit: 'cover',
  interactiveWidget: 'resizes-content',
  themeColor: THEME_DEFINITIONS[DEFAULT_THEME].themeColor,
};

/** The Inbox lives in the layout, so `/inbox` and `/inbox/:id` share one list and one connection. */
export default function InboxLayout({ children }: { children: ReactNode }) {
  return <InboxScreen>{children}</InboxScreen>;
}
