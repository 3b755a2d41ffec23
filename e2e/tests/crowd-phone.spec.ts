import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, joinWithRolledName, longPress, message, newContext, registerThroughForm, send, shot, unique } from './support';

/**
 * The crowd's phone (pop chats): what a late arrival, a reader and a host meet
 * first — the host's sticky messages however much was said since, links that
 * are links, an "Expand" only when something is cut off, no "Report" for the
 * host, and a home page that says why a code does not open.
 */

async function hostCreatesChat(ctx: BrowserContext, chatName: string) {
  const page = await ctx.newPage();
  await registerThroughForm(page, unique('Hst'));
  await page.goto('/create');
  await page.getByTestId('chat-name-input').fill(chatName);
  await page.getByTestId('create-submit').click();
  await page.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return page;
}

async function joinAs(ctx: BrowserContext, url: string) {
  const page = await ctx.newPage();
  await page.goto(url);
  await page.getByTestId('join-button').click();
  await joinWithRolledName(page);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return page;
}

/** `count` messages, paced under the per-second send limit, each seen sent. */
async function chatter(page: Page, prefix: string, count: number) {
  for (let i = 0; i < count; i++) {
    await send(page, `${prefix} ${i}`);
    await expect(message(page, `${prefix} ${i}`)).toBeVisible();
    await page.waitForTimeout(220);
  }
}

test('a late arrival still sees the host, links open safely, and the host is not offered Report', async ({ browser }) => {
  test.setTimeout(240_000);
  const hostCtx = await newContext(browser, 'phone');
  const host = await hostCreatesChat(hostCtx, 'Late arrivals');
  const url = host.url();
  await send(host, 'Hi! https://example.com');
  await expect(host.getByTestId('sticky-host-message')).toHaveCount(1);
  // One short message, nothing cut off: nothing to expand.
  await expect(host.getByTestId('sticky-host-toggle')).toHaveCount(0);

  // Two people say more than a page (50) of other things.
  const [aCtx, bCtx] = await Promise.all([newContext(browser, 'phone'), newContext(browser, 'desktop')]);
  const [a, b] = await Promise.all([joinAs(aCtx, url), joinAs(bCtx, url)]);
  // The host's profile shows where they wear their verified name: in the messages and the participants list.
  const profile = await hostCtx.request.patch('/api/me', { data: { displayName: 'Dana the Host', status: 'busy' } });
  expect(profile.status(), await profile.text()).toBe(200);
  await a.reload();
  await expect(message(a, 'Hi! https://example.com').getByTestId('message-display-name')).toHaveText('Dana the Host');
  await a.getByTestId('participants-button').click();
  const hostRow = a.locator('[data-testid="participant"][data-role="host"]');
  await expect(hostRow).toContainText('Dana the Host');
  await expect(hostRow.getByTestId('participant-status')).toHaveText('Busy');
  await shot(a, 'phone-73-participants-profile');
  await a.keyboard.press('Escape');
  // What a screen reader on the host's phone hears during the burst: a few summaries, not 52 messages.
  await expect(host.getByTestId('message-list')).toHaveAttribute('aria-live', 'off');
  await host.evaluate(() => {
    const w = window as unknown as { __spoken: string[] };
    w.__spoken = [];
    const region = document.querySelector('[data-testid="live-announcer"]')!;
    new MutationObserver(() => w.__spoken.push(region.textContent ?? '')).observe(region, { childList: true, characterData: true, subtree: true });
  });
  const burstStarted = Date.now();
  await Promise.all([chatter(a, 'from A', 26), chatter(b, 'from B', 26)]);
  await host.waitForTimeout(3_500);
  const spoken = await host.evaluate(() => (window as unknown as { __spoken: string[] }).__spoken.filter((t) => t !== ''));
  expect(spoken.length).toBeGreaterThan(0);
  expect(spoken.length).toBeLessThanOrEqual(Math.ceil((Date.now() - burstStarted) / 3_000) + 1);
  expect(spoken.at(-1)).toMatch(/from [AB] 25$/);
  expect(spoken.some((t) => /^\d+ new messages\. Latest from /.test(t))).toBe(true);
  await send(a, 'see www.example.org/faq and javascript:alert(1) here');

  // Someone arriving now gets the newest page only, and the host's message on top all the same.
  const lateCtx = await newContext(browser, 'phone');
  const late = await lateCtx.newPage();
  const lateConsoleErrors: string[] = [];
  late.on('console', (m) => m.type() === 'error' && lateConsoleErrors.push(m.text()));
  await late.goto(url);
  await expect(message(late, 'from B 25')).toBeVisible();
  await expect(late.locator('[data-testid="message"]', { hasText: 'Hi! https://example.com' })).toHaveCount(0);
  const sticky = late.getByTestId('sticky-host-message');
  await expect(sticky).toHaveCount(1);
  await expect(sticky).toContainText('Hi! https://example.com');
  const stickyLink = sticky.getByRole('link', { name: 'https://example.com' });
  await expect(stickyLink).toHaveAttribute('href', 'https://example.com/');
  await expect(stickyLink).toHaveAttribute('rel', 'noopener noreferrer nofollow ugc');
  await expect(stickyLink).toHaveAttribute('target', '_blank');
  await shot(late, 'phone-70-late-arrival-sticky-host');

  // A bare address becomes an https link; a javascript: text never does.
  const faq = message(late, 'see www.example.org/faq');
  const links = faq.getByTestId('message-link');
  await expect(links).toHaveCount(1);
  await expect(links.first()).toHaveAttribute('href', 'https://www.example.org/faq');
  await expect(faq).toContainText('javascript:alert(1)');
  await expectNoSeriousA11yIssues(late, 'a late arrival reading a chat');
  // Signed out is a normal state, not an error: nothing in the console.
  expect(lateConsoleErrors).toEqual([]);

  const lateDesktopCtx = await newContext(browser, 'desktop');
  const lateDesktop = await lateDesktopCtx.newPage();
  await lateDesktop.goto(url);
  await expect(lateDesktop.getByTestId('sticky-host-message')).toContainText('Hi! https://example.com');
  await shot(lateDesktop, 'desktop-70-late-arrival-sticky-host');

  // A long host message is cut to one line: now "Expand" is offered, and it shows all of it.
  await send(host, `Tonight: ${'doors at eight, the first talk at half past, questions after each talk, '.repeat(4)}and the end at eleven.`);
  // Seen live by a participant (a reader who has not joined only polls).
  await expect(a.getByTestId('sticky-host-toggle')).toBeVisible();

  // A mention picked by a tap and typing at once: the text lands after the name, in order.
  const composer = host.getByTestId('composer-input');
  await composer.click();
  await composer.pressSequentially('Thanks @');
  const option = host.getByTestId('mention-option').first();
  const picked = ((await option.textContent()) ?? '').trim();
  await option.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true });
  await host.keyboard.type('you rock');
  await expect(composer).toHaveValue(`Thanks ${picked} you rock`);
  await composer.fill('');

  // The host's own actions on someone's message: moderation, never a report to themselves.
  await longPress(host, message(host, 'from A 25').getByTestId('message-content'));
  await expect(host.getByTestId('message-actions')).toBeVisible();
  await expect(host.getByTestId('action-delete')).toBeVisible();
  await expect(host.getByTestId('action-report')).toHaveCount(0);
  await shot(host, 'phone-71-host-message-actions');
  await host.keyboard.press('Escape');
  // A participant may still report.
  await longPress(a, message(a, 'from B 25').getByTestId('message-content'));
  await expect(a.getByTestId('action-report')).toBeVisible();

  await Promise.all([hostCtx, aCtx, bCtx, lateCtx, lateDesktopCtx].map((c) => c.close()));
});

test('the home page says why a chat code does not open', async ({ browser }) => {
  for (const kind of ['phone', 'desktop'] as const) {
    const ctx = await newContext(browser, kind);
    const page = await ctx.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
    expect(consoleErrors).toEqual([]);
    const input = page.getByTestId('join-code-input');
    await input.fill('abc');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect(page.getByTestId('join-code-error')).toContainText('A chat code has 8 letters and digits');
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/\/$/);
    await input.fill('ZZZZ-ZZZZ');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect(page.getByTestId('join-code-error')).toContainText('No chat has the code ZZZZZZZZ');
    await expect(page).toHaveURL(/\/$/);
    await shot(page, `${kind}-72-home-unknown-code`);
    await expectNoSeriousA11yIssues(page, `home with a code error (${kind})`);
    await ctx.close();
  }
});

/** The browser's text size at `percent` of the default, as its font-size setting does: every rem scales. */
async function textSize(page: Page, percent: number) {
  await page.evaluate((p) => {
    document.documentElement.style.fontSize = `${p}%`;
  }, percent);
}

test('the chat reads at 200 % text size: text grows, nothing scrolls sideways, the composer still sends', async ({ browser }) => {
  test.setTimeout(300_000);
  const hostCtx = await newContext(browser, 'phone');
  const host = await hostCreatesChat(hostCtx, 'Large text');
  const url = host.url();
  await send(host, 'Welcome, everyone. Say hello!');
  const [phoneCtx, deskCtx] = await Promise.all([newContext(browser, 'phone'), newContext(browser, 'desktop')]);
  const [phone, desk] = await Promise.all([joinAs(phoneCtx, url), joinAs(deskCtx, url)]);
  await send(phone, 'A reader with large text on');
  await expect(message(host, 'A reader with large text on')).toBeVisible();

  for (const [kind, page] of [['phone', phone], ['desktop', desk]] as const) {
    const text = message(page, 'A reader with large text on').getByTestId('message-content');
    await expect(text).toBeVisible();
    const px = (el: Element) => parseFloat(getComputedStyle(el).fontSize);
    const normal = await text.evaluate(px);
    // Inputs are at least 16 px, so a phone does not zoom in when one takes focus.
    expect(await page.getByTestId('composer-input').evaluate(px)).toBeGreaterThanOrEqual(16);

    await textSize(page, 200);
    expect(await text.evaluate(px)).toBeCloseTo(normal * 2, 0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await expect(page.getByTestId('composer-input')).toBeInViewport();
    // The header keeps the chat's name readable and every control whole on screen.
    expect(await page.getByTestId('chat-name').evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(80);
    for (const id of ['copy-link', 'theme-button', 'participants-button']) await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
    await send(page, `Sent at 200 % from the ${kind}`);
    await expect(message(host, `Sent at 200 % from the ${kind}`)).toBeVisible();
    await expect(message(page, `Sent at 200 % from the ${kind}`)).toHaveAttribute('data-status', 'sent');
    await shot(page, `${kind}-73-text-200`);
    await expectNoSeriousA11yIssues(page, `chat at 200 % text (${kind})`);
  }
  await Promise.all([hostCtx, phoneCtx, deskCtx].map((c) => c.close()));
});

test('a newcomer on a phone goes from a cold link to a first message in three taps', async ({ browser }) => {
  test.setTimeout(180_000);
  const hostCtx = await newContext(browser, 'desktop');
  const host = await hostCreatesChat(hostCtx, 'Three taps');
  const url = host.url();
  const phoneCtx = await newContext(browser, 'phone');
  const phone = await phoneCtx.newPage();

  const started = Date.now();
  let taps = 0;
  await phone.goto(url);
  await phone.getByTestId('join-button').click();
  taps++;
  // The name is rolled as the dialog opens: no die to find first.
  await expect(phone.getByTestId('join-submit')).toHaveText(/^Join as /);
  await shot(phone, 'phone-74-join-pre-rolled');
  await phone.getByTestId('join-submit').click();
  taps++;
  await phone.getByTestId('composer-input').fill('Hi from the crowd');
  await phone.getByTestId('send-button').click();
  taps++;
  await expect(message(phone, 'Hi from the crowd')).toHaveAttribute('data-status', 'sent');
  const seconds = (Date.now() - started) / 1000;
  await expect(message(host, 'Hi from the crowd')).toBeVisible();
  expect(taps).toBe(3);
  console.log(`cold link to first message sent: ${taps} taps (and the typing), ${seconds.toFixed(1)} s`);
  await Promise.all([hostCtx.close(), phoneCtx.close()]);
});

test("a public chat's link unfurls with its name and host, a private one says nothing; the share card offers the phone's share sheet", async ({ browser }) => {
  test.setTimeout(180_000);
  const hostCtx = await newContext(browser, 'phone');
  // The phone's own share sheet is outside the page: it records what it was given.
  await hostCtx.addInitScript(() => {
    const w = window as unknown as { __shared: ShareData[] };
    w.__shared = [];
    Object.defineProperty(navigator, 'share', { configurable: true, value: async (data: ShareData) => void w.__shared.push(data) });
  });
  const host = await hostCreatesChat(hostCtx, 'Unfurled show');
  const url = host.url();
  await host.getByTestId('share-chat-link').click();
  expect(await host.evaluate(() => (window as unknown as { __shared: ShareData[] }).__shared)).toEqual([{ title: 'Unfurled show', url }]);
  await shot(host, 'phone-75-share-card');

  const stranger = await newContext(browser, 'desktop');
  const page = await (await stranger.request.get(url)).text();
  expect(page).toContain('<meta property="og:title" content="Unfurled show"/>');
  expect(page).toMatch(/<meta property="og:description" content="Hosted by [A-Za-z0-9_]+ · \d+ online\. Join with just a username\."\/>/);
  expect(page).toContain('<meta name="twitter:card" content="summary"/>');
  expect(page).toContain('<title>Unfurled show · ChatPop</title>');

  const created = await hostCtx.request.post('/api/chats', {
    data: { name: 'Secret plans', access: 'private' },
    headers: { 'x-chatpop-csrf': '1' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const code = ((await created.json()) as { chat: { code: string } }).chat.code;
  const privatePage = await (await stranger.request.get(`/chat/${code}`)).text();
  expect(privatePage).not.toContain('Secret plans');
  expect(privatePage).not.toContain('og:title');
  expect(privatePage).toContain('<title>Chat · ChatPop</title>');
  await Promise.all([hostCtx.close(), stranger.close()]);
});
