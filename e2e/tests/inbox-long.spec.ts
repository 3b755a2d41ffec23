import { expect, test, type Page } from '@playwright/test';
import { API_URL, expectNoSeriousA11yIssues, message, newContext, registerAccount, send, shot, unique } from './support';

/**
 * A conversation of 10,000 messages on a phone: it opens at the bottom, scrolls
 * far up through page after page of older messages and back, while the page
 * only ever holds a few dozen message rows; a new message while scrolled up
 * offers the "New messages" jump; a quote of an old message, tapped after a
 * reload, loads its page and scrolls to it.
 */

const TOTAL = 10_000;
/** Rows drawn at once: what fits on a phone's screen plus the rows kept either side. */
const MAX_ROWS = 70;

const rowCount = (page: Page) => page.getByTestId('message-row').count();

/** The scrolling element around the message list. */
const scroller = (page: Page) => page.getByTestId('message-list').locator('xpath=..');

/** The seq of the topmost drawn message ("Message N"). */
async function topSeq(page: Page): Promise<number> {
  const text = await page.getByTestId('message-content').first().textContent();
  return Number(/Message (\d+)/.exec(text ?? '')?.[1] ?? NaN);
}

test('a conversation of 10,000 messages scrolls far up and back on a phone with a bounded page, and a quote of an old message jumps to it', async ({ browser }) => {
  test.setTimeout(300_000);
  const annName = unique('Ann');
  const bobName = unique('Bob');
  const annCtx = await newContext(browser, 'phone');
  const bobCtx = await newContext(browser, 'desktop');
  await registerAccount(annCtx, { email: `${annName.toLowerCase()}@example.com`, password: 'Passw0rd!', username: annName });
  await registerAccount(bobCtx, { email: `${bobName.toLowerCase()}@example.com`, password: 'Passw0rd!', username: bobName });
  const created = await annCtx.request.post('/api/conversations/direct', { data: { username: bobName } });
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { conversation: { id: string } }).conversation.id;

  // 10,000 messages, an hour apart (a day separator every 24), from both of them in turn (the dev seed route, this machine only).
  const seeded = await fetch(`${API_URL}/api/dev/conversations/${id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count: TOTAL, spacingSeconds: 3_600 }),
  });
  expect(seeded.status, await seeded.clone().text()).toBe(201);
  const { lastSeq } = (await seeded.json()) as { firstSeq: number; lastSeq: number };

  const ann = await annCtx.newPage();
  const longTasks: number[] = [];
  await ann.exposeFunction('__longTask', (ms: number) => longTasks.push(ms));
  await ann.addInitScript(() => {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) (window as unknown as { __longTask: (ms: number) => void }).__longTask(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await ann.goto(`/inbox/${id}`);
  await expect(message(ann, `Message ${lastSeq}`)).toBeInViewport({ timeout: 30_000 });
  expect(await rowCount(ann)).toBeLessThanOrEqual(MAX_ROWS);
  await shot(ann, 'inbox-long-phone-01-bottom');

  // Far up: each time the top is reached the next older page loads above, and the reading position holds.
  const list = scroller(ann);
  await ann.mouse.move(195, 420);
  const loadingTasks = longTasks.splice(0);
  const target = lastSeq - 800;
  let rounds = 0;
  while ((await topSeq(ann)) > target) {
    expect(++rounds, 'older pages keep coming').toBeLessThan(200);
    const before = await topSeq(ann);
    // A thumb's flicks, then the top.
    for (let i = 0; i < 3; i++) await ann.mouse.wheel(0, -1_500);
    await list.evaluate((el) => (el.scrollTop = 0));
    await expect.poll(() => topSeq(ann), { timeout: 15_000 }).toBeLessThan(before);
    expect(await rowCount(ann)).toBeLessThanOrEqual(MAX_ROWS);
  }
  // The main thread while scrolling through older pages: the longest task (the machine is shared, so allow for it).
  const scrollTasks = longTasks.splice(0);
  await expect(ann.getByTestId('day-separator').first()).toBeVisible();
  await shot(ann, 'inbox-long-phone-02-far-up');
  const loadedAbove = await ann.getByTestId('message-rows').evaluate((el) => el.getBoundingClientRect().height);
  expect(loadedAbove, 'the list is as tall as the 800+ messages loaded').toBeGreaterThan(800 * 30);
  expect(await ann.locator('[data-testid="message"]').count()).toBeLessThanOrEqual(MAX_ROWS);

  // Bob writes while Ann reads far up: she stays where she is and is offered the jump.
  const bob = await bobCtx.newPage();
  await bob.goto(`/inbox/${id}`);
  await expect(message(bob, `Message ${lastSeq}`)).toBeVisible({ timeout: 30_000 });
  const seqBefore = await topSeq(ann);
  await send(bob, 'Fresh news from Bob');
  await expect(ann.getByTestId('new-messages-pill')).toBeVisible();
  expect(Math.abs((await topSeq(ann)) - seqBefore)).toBeLessThan(20);

  // Ann replies to an old message up here; her own message takes her to the bottom.
  const old = message(ann, `Message ${await topSeq(ann)}`);
  const oldSeq = await topSeq(ann);
  const oldText = `Message ${oldSeq}`;
  await old.scrollIntoViewIfNeeded();
  await old.getByTestId('reply-button').click();
  await send(ann, 'Remember this one?');
  const reply = message(ann, 'Remember this one?');
  await expect(reply).toBeInViewport({ timeout: 30_000 });
  await expect(reply.getByTestId('reply-quote')).toContainText(oldText);
  expect(await rowCount(ann)).toBeLessThanOrEqual(MAX_ROWS);
  await expect(message(ann, 'Fresh news from Bob')).toBeVisible();
  await shot(ann, 'inbox-long-phone-03-back-at-bottom');

  // After a reload only the last page is loaded; tapping the quote loads back to the original and shows it.
  await ann.reload();
  await expect(reply).toBeInViewport({ timeout: 30_000 });
  const original = ann.locator('[data-testid="message"]', { has: ann.getByTestId('message-content').getByText(oldText, { exact: true }) });
  await expect(original).toHaveCount(0);
  await reply.getByTestId('reply-quote').click();
  await expect(original).toBeInViewport({ timeout: 30_000 });
  await expect(ann.getByTestId('jump-status')).toHaveCount(0);
  expect(await rowCount(ann)).toBeLessThanOrEqual(MAX_ROWS);
  await shot(ann, 'inbox-long-phone-04-jumped-to-quote');

  // And back down to the newest message.
  await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(reply).toBeInViewport({ timeout: 30_000 });
  await expectNoSeriousA11yIssues(ann, 'long conversation (phone)');

  const worst = (tasks: number[]) => Math.round(Math.max(0, ...tasks));
  console.log(
    `long conversation: ${rounds} rounds of older pages; longest main-thread task while scrolling ${worst(scrollTasks)} ms (${scrollTasks.length} over 50 ms), ` +
      `while opening ${worst(loadingTasks)} ms, after (reply, reload, jump to the quote) ${worst(longTasks)} ms`,
  );
  expect(worst(scrollTasks), 'no main-thread stall of two seconds while scrolling').toBeLessThan(2_000);
});
