import type { Viewport } from 'next';
import type { ReactNode } from 'react';
import { THEME_BOOT_SCRIPT, THEME_DEFINITIONS, DEFAULT_THEME } from '@/lib/themes';

// The chat keeps a fixed frame: the on-screen keyboard resizes the layout
// instead of scrolling the page (SPEC §2.10). Pinch-zoom stays allowed (people
// who need larger text must get it); inputs are 16 px so focusing one does
// not zoom on iOS. The
// theme-color is the default theme's header; the client updates it to the
// chat's theme once it is known.
export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  viewportFit: 'cover',
  interactiveWidget: 'resizes-content',
  themeColor: THEME_DEFINITIONS[DEFAULT_THEME].themeColor,
};

export default function ChatLayout({ children }: { children: ReactNode }) {
  return (
    <>
      {/* Before React starts: the theme-color and background last used for this chat on this device (no flash). */}
      <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      {children}
    </>
  );
}
