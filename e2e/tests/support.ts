import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devices, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts/screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export const PHONE = { ...devices['iPhone 13'], defaultBrowserType: undefined } as const;
export const DESKTOP = { viewport: { width: 1280, height: 800 } } as const;

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/*
 * newContext also cuts a context off the network and brings it back on demand
 * (goOffline/goOnline): Playwright's offline mode leaves open WebSockets alone,
 * so the context closes its sockets and refuses new ones while offline (from an
 * init script).
 */
/**
 * A browser context as a separate person: its own cookies, and its own
 * network address. The product trusts the web app's X-Forwarded-For (as it
 * would a reverse proxy's), so each context says where it comes from, as each
 * visitor of a real chat comes from their own network (the per-IP limits).
 */
export async function newContext(browser: Browser, kind: 'phone' | 'desktop', opts: { ip?: string } = {}): Promise<BrowserContext> {
  const { defaultBrowserType: _ignored, ...phone } = PHONE;
  // `opts.ip` puts two contexts on one network (a ban that holds by IP); otherwise an
  // address in the range kept for benchmarks (198.18.0.0/15): never a real visitor's.
  const address = opts.ip ?? `198.${18 + randomInt(2)}.${randomInt(256)}.${1 + randomInt(254)}`;
  const context = await browser.newContext({ ...(kind === 'phone' ? phone : DESKTOP), extraHTTPHeaders: { 'x-forwarded-for': address } });
  await context.addInitScript(() => {
    const NativeWebSocket = window.WebSocket;
    const open = new Set<WebSocket>();
    const w = window as unknown as { __network: { offline: boolean; cut(): void } };
    w.__network = {
      offline: false,
      cut() {
        this.offline = true;
        for (const ws of open) ws.close();
      },
    };
    class TrackedWebSocket extends NativeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(w.__network.offline ? 'ws://127.0.0.1:9/offline' : url, protocols);
        open.add(this);
        this.addEventListener('close', () => open.delete(this));
      }
    }
    window.WebSocket = TrackedWebSocket as typeof WebSocket;
  });
  return context;
}

export async function goOffline(context: BrowserContext) {
  await context.setOffline(true);
  for (const page of context.pages()) await page.evaluate(() => (window as any).__network.cut());
}

export async function goOnline(context: BrowserContext) {
  for (const page of context.pages()) await page.evaluate(() => ((window as any).__network.offline = false));
  await context.setOffline(false);
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-4)}${++counter}`;
