'use client';

import { createContext, useContext, type ReactNode } from 'react';

/**
 * Dialogs, sheets and menus render in a portal outside the themed chat frame,
 * so they read the theme's scope classes (e.g. `dark theme-dark-mode`) from
 * here: every modal follows the theme's light/dark type (SPEC §2.10).
 */
const ThemeScopeContext = createContext('');

export function ThemeScope({ className, children }: { className: string; children: ReactNode }) {
  return <ThemeScopeContext.Provider value={className}>{children}</ThemeScopeContext.Provider>;
}

export function useThemeScope(): string {
  return useContext(ThemeScopeContext);
}
