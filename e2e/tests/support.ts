import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { devices, expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { containsProfanity } from '@chatpop/protocol';

export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts/screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export const PHONE = { ...devices['iPhone 13'], defaultBrowserType: undefined } as const;
export const DESKTOP = { viewport: { width: 1280, height: 800 } } as const;
/** A phone's context options, with none of `newContext`'s network disguise. */
export const PHONE_CONTEXT = (({ defaultBrowserType: _ignored, ...phone }) => phone)(PHONE);

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
 * network address. The web app under test believes X-Forwarded-For from this
 * machine (WEB_TRUST_PROXY=loopback in run.mjs, as behind a reverse proxy
 * here), so each context says where it comes from, as each visitor of a real
 * chat comes from their own network (the per-IP limits).
 */
export async function newContext(browser: Browser, kind: 'phone' | 'desktop', opts: { ip?: string } = {}): Promise<BrowserContext> {
  // `opts.ip` puts two contexts on one network (a ban that holds by IP); otherwise an
  // address in the range kept for benchmarks (198.18.0.0/15): never a real visitor's.
  const address = opts.ip ?? `198.${18 + randomInt(2)}.${randomInt(256)}.${1 + randomInt(254)}`;
  const context = await browser.newContext({ ...(kind === 'phone' ? PHONE_CONTEXT : DESKTOP), extraHTTPHeaders: { 'x-forwarded-for': address } });
  await recordCspViolations(context);
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

/** Keeps every Content-Security-Policy violation a context's pages report; read them with `cspViolations`. */
export async function recordCspViolations(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}
export const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

export async function goOffline(context: BrowserContext) {
  await context.setOffline(true);
  for (const page of context.pages()) await page.evaluate(() => (window as any).__network.cut());
}

export async function goOnline(context: BrowserContext) {
  for (const page of context.pages()) await page.evaluate(() => ((window as any).__network.offline = false));
  await context.setOffline(false);
}

let counter = 0;
/** A fresh name: the prefix, a time stamp and a counter, never one the profanity rule refuses (`4ss` reads as a word). */
export function unique(prefix: string): string {
  for (;;) {
    const name = `${prefix}${Date.now().toString(36).slice(-4)}${++counter}`;
    if (!containsProfanity(name)) return name;
  }
}

/** Where the API listens; the dev outbox answers there, to this machine only. */
export const API_URL = process.env.E2E_API_URL ?? 'http://127.0.0.1:9000';

/**
 * The first link of the newest mail to `email` whose subject matches, read
 * from the API's dev outbox as the person at the server's machine would
 * (directly, not through the web app, whose relayed requests it refuses).
 */
export async function mailedLink(email: string, subject: RegExp): Promise<string> {
  let link: string | undefined;
  await expect(async () => {
    const res = await fetch(`${API_URL}/api/dev/outbox`);
    expect(res.status, 'the dev outbox (DEV_OUTBOX=true)').toBe(200);
    const { mails } = (await res.json()) as { mails: { to: string; subject: string; text: string }[] };
    link = mails.find((m) => m.to === email && subject.test(m.subject))?.text.match(/https?:\/\/\S+/)?.[0];
    expect(link, `a mail to ${email}`).toBeDefined();
  }).toPass({ timeout: 10_000 });
  return link!;
}

/**
 * Opens the confirmation link that registering mailed to `email`, in `page`,
 * as its owner would. The link signs the page in and goes on to where
 * registration started.
 */
export async function confirmFromOutbox(page: Page, email: string) {
  await page.goto(await mailedLink(email, /Confirm your email/));
}

/** An account made through the same API the form uses, confirmed from its mailed link: `ctx` is signed in. */
export async function registerAccount(ctx: BrowserContext, body: { email: string; password: string; username?: string }) {
  const res = await ctx.request.post('/api/auth/register', { data: body });
  expect(res.status(), await res.text()).toBe(202);
  const token = new URL(await mailedLink(body.email, /Confirm your email/)).searchParams.get('token');
  const confirmed = await ctx.request.post('/api/auth/confirm-email', { data: { token } });
  expect(confirmed.status(), await confirmed.text()).toBe(200);
}

/**
 * Registers through the form on `page` (email from the username), opens the
 * mailed confirmation link and waits until signed in; returns the email.
 */
export async function registerThroughForm(page: Page, username: string, password = 'Passw0rd!') {
  const email = `${username.toLowerCase()}@example.com`;
  await page.goto('/register');
  await page.getByTestId('register-email').fill(email);
  await page.getByTestId('register-password').fill(password);
  await page.getByTestId('register-username').fill(username);
  await page.getByTestId('register-submit').click();
  await confirmFromOutbox(page, email);
  await expect(page.getByTestId('signed-in-as')).toBeAttached();
  return email;
}

export async function send(page: Page, text: string) {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('send-button').click();
}

/** The last message bubble with this text. */
export const message = (page: Page, text: string) => page.locator('[data-testid="message"]', { hasText: text }).last();

/** A touch long-press on a message bubble, as a thumb does it. */
export async function longPress(page: Page, target: Locator) {
  const box = (await target.boundingBox())!;
  const init = { pointerType: 'touch', isPrimary: true, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2, pointerId: 7 };
  await target.dispatchEvent('pointerdown', init);
  await page.waitForTimeout(700);
  await target.dispatchEvent('pointerup', init);
}

/** Records the sounds a context's pages play (HTMLMediaElement.play) instead of playing them; read them with `playedSounds`. */
export async function recordSounds(ctx: BrowserContext) {
  await ctx.addInitScript(() => {
    const w = window as unknown as { __sounds: string[] };
    w.__sounds = [];
    HTMLMediaElement.prototype.play = function play(this: HTMLMediaElement) {
      if (this.dataset.sound) w.__sounds.push(this.dataset.sound);
      return Promise.resolve();
    };
  });
}
export const playedSounds = (page: Page) => page.evaluate(() => (window as unknown as { __sounds: string[] }).__sounds);

/** axe finds no serious or critical violation on the page (or within `include`). */
export async function expectNoSeriousA11yIssues(page: Page, where: string, include?: string) {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${where}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/**
 * In the open join dialog: waits for the name it rolls on opening (or the
 * person's own), then joins with it; answers the name.
 */
export async function joinWithRolledName(page: Page): Promise<string> {
  const submit = page.getByTestId('join-submit');
  await expect(submit).toHaveText(/^Join as /);
  // Not mid-roll: the name on screen is the one the join will use.
  await expect(page.getByTestId('roll-button')).toBeEnabled();
  const name = (await page.getByTestId('rolled-name').textContent())!.trim();
  await submit.click();
  return name;
}
