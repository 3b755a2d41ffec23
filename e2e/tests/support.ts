import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devices, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

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

/**
 * Opens the confirmation link that registering mailed to `email`, as its owner
 * would: from the dev outbox page (where mail goes without SMTP), in `page`.
 * The link signs the page in and goes on to where registration started.
 */
export async function confirmFromOutbox(page: Page, email: string) {
  await page.goto('/dev/outbox');
  const mail = page.getByTestId('outbox-mail').filter({ hasText: email }).filter({ hasText: 'Confirm your email' }).first();
  await expect(async () => {
    await page.getByTestId('outbox-refresh').click();
    await expect(mail).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await mail.getByTestId('outbox-link').first().click();
}

/** An account made through the same API the form uses, confirmed from its mailed link: `ctx` is signed in. */
export async function registerAccount(ctx: BrowserContext, body: { email: string; password: string; username?: string }) {
  const res = await ctx.request.post('/api/auth/register', { data: body });
  expect(res.status(), await res.text()).toBe(202);
  let token: string | undefined;
  await expect(async () => {
    const { mails } = (await (await ctx.request.get('/api/dev/outbox')).json()) as { mails: { to: string; text: string }[] };
    token = mails.map((m) => (m.to === body.email ? /confirm-email\?token=([\w.-]+)/.exec(m.text)?.[1] : undefined)).find(Boolean);
    expect(token).toBeDefined();
  }).toPass({ timeout: 10_000 });
  const confirmed = await ctx.request.post('/api/auth/confirm-email', { data: { token } });
  expect(confirmed.status(), await confirmed.text()).toBe(200);
}
