import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, newContext, registerAccount, send, shot, unique } from './support';

/*
 * Search, end to end: Ann (a phone) and Bob (a 1440×900 desktop) talk in a
 * direct conversation long enough that its first message is pages back. Ann
 * searches, sees the words she looked for marked, scrolls for more hits, and
 * opens the old message in context: its page loads, it scrolls into view and
 * flashes. Bob searches within the conversation from its header.
 */

const WIDE = { width: 1440, height: 900 };
/** More than one history page (50) after the message looked for. */
const FILLER_EACH = 28;

async function person(ctx: BrowserContext, username: string) {
  await registerAccount(ctx, { email: `${username.toLowerCase()}@example.com`, password: 'Passw0rd!', username });
}

/** Sends `count` messages, within the per-sender limit of 5 a second, and waits for the last to be sent. */
async function sendMany(page: Page, count: number, text: (i: number) => string) {
  for (let i = 0; i < count; i++) {
    await send(page, text(i));
    await page.waitForTimeout(260);
  }
  await expect(page.locator('[data-testid="message-content"]', { hasText: text(count - 1) })).toBeVisible({ timeout: 30_000 });
}

test('search, see the marked words, page on, and jump to a hit in context', async ({ browser }) => {
  test.setTimeout(480_000);
  const annName = unique('Ann');
  const bobName = unique('Bob');
  const annCtx = await newContext(browser, 'phone');
  const bobCtx = await newContext(browser, 'desktop');
  await person(annCtx, annName);
  await person(bobCtx, bobName);

  const direct = await bobCtx.request.post('/api/conversations/direct', { data: { username: annName } });
  expect(direct.status()).toBe(201);
  const conversationId = ((await direct.json()) as { conversation: { id: string } }).conversation.id;

  const bob = await bobCtx.newPage();
  await bob.setViewportSize(WIDE);
  await bob.goto(`/inbox/${conversationId}`);
  await send(bob, 'Meet me at the old lighthouse at noon, bring <b>snacks</b>');
  await expect(bob.locator('[data-testid="message-content"]', { hasText: 'old lighthouse' })).toBeVisible({ timeout: 30_000 });

  const ann = await annCtx.newPage();
  await ann.goto(`/inbox/${conversationId}`);
  await expect(ann.locator('[data-testid="message-content"]', { hasText: 'old lighthouse' })).toBeVisible({ timeout: 30_000 });
  await Promise.all([
    sendMany(ann, FILLER_EACH, (i) => `ping ${i} from the harbour`),
    sendMany(bob, FILLER_EACH, (i) => `pong ${i}`),
  ]);

  // Ann finds search from the Inbox's header.
  await ann.goto('/inbox');
  await ann.getByTestId('inbox-search-link').click();
  await expect(ann).toHaveURL(/\/search$/);
  await ann.getByTestId('search-input').fill('"old lighthouse"');
  await ann.getByTestId('search-submit').click();
  const hit = ann.getByTestId('search-hit');
  await expect(hit).toHaveCount(1, { timeout: 20_000 });
  await expect(hit.getByTestId('search-hit-room')).toHaveText(bobName);
  await expect(hit.getByTestId('search-hit-author')).toHaveText(bobName);
  await expect(hit.locator('mark')).toHaveText(['old', 'lighthouse']);
  // The message's own text, markup and all, shown as text.
  await expect(hit.getByTestId('search-hit-text')).toContainText('<b>snacks</b>');
  await expectNoSeriousA11yIssues(ann, 'search (phone)');
  await shot(ann, 'search-phone-hit');

  // Many hits: the next page comes as the list scrolls.
  await ann.getByTestId('search-input').fill('harbour');
  await ann.getByTestId('search-submit').click();
  await expect(ann.getByTestId('search-hit')).toHaveCount(20);
  await ann.getByTestId('search-hit').last().scrollIntoViewIfNeeded();
  await expect(ann.getByTestId('search-hit')).toHaveCount(FILLER_EACH);
  await expect(ann.getByText('That is everything.')).toBeVisible();
  await expect(ann.getByTestId('search-hit').first()).toContainText(`ping ${FILLER_EACH - 1} from the harbour`);
  await shot(ann, 'search-phone-paged');

  // Bad input says why, and nothing is searched.
  await ann.getByTestId('search-input').fill('-harbour');
  await ann.getByTestId('search-submit').click();
  await expect(ann.getByTestId('search-error')).toHaveText('Say what to look for, not only what to leave out.');

  // The jump: back to the lighthouse, more than a page before the newest message.
  await ann.getByTestId('search-input').fill('lighthouse');
  await ann.getByTestId('search-submit').click();
  await expect(ann.getByTestId('search-hit')).toHaveCount(1);
  await ann.getByTestId('search-hit').click();
  await expect(ann).toHaveURL(new RegExp(`/inbox/${conversationId}\\?at=\\d+$`));
  const target = ann.locator('[data-testid="message-content"]', { hasText: 'old lighthouse' });
  await expect(target).toBeInViewport({ timeout: 30_000 });
  await expect(ann.locator('[data-testid="message-content"]', { hasText: `ping ${FILLER_EACH - 1} from` })).not.toBeInViewport();
  await shot(ann, 'search-phone-jump');

  // Bob searches within the conversation from its header, with the "or" syntax.
  await bob.getByTestId('conversation-search').click();
  await expect(bob).toHaveURL(/\/search\?in=/);
  await expect(bob.getByTestId('search-in')).toContainText(annName);
  await bob.getByTestId('search-input').fill('lighthouse or "pong 3"');
  await bob.getByTestId('search-submit').click();
  await expect(bob.getByTestId('search-hit')).toHaveCount(2);
  await expect(bob.getByTestId('search-hit').first().locator('mark')).toHaveText(['pong', '3']);
  await bob.getByTestId('search-has').selectOption('link');
  await expect(bob.getByTestId('search-empty')).toBeVisible();
  await bob.getByTestId('search-has').selectOption('');
  await expect(bob.getByTestId('search-hit')).toHaveCount(2);
  await expectNoSeriousA11yIssues(bob, 'search (desktop)');
  await shot(bob, 'search-desktop-in-conversation');
  await bob.getByTestId('search-hit').last().click();
  await expect(bob).toHaveURL(new RegExp(`/inbox/${conversationId}\\?at=\\d+$`));
  await expect(bob.locator('[data-testid="message-content"]', { hasText: 'old lighthouse' })).toBeInViewport({ timeout: 30_000 });
  await shot(bob, 'search-desktop-jump');

  await annCtx.close();
  await bobCtx.close();
});

test('a pop chat: search within it from its header and open a hit at its message', async ({ browser }) => {
  test.setTimeout(300_000);
  const hostName = unique('Hst');
  const ctx = await newContext(browser, 'phone');
  await person(ctx, hostName);
  const created = await ctx.request.post('/api/chats', { data: { name: 'Treasure hunt' } });
  expect(created.status()).toBe(201);
  const code = ((await created.json()) as { chat: { code: string } }).chat.code;
  expect((await ctx.request.post(`/api/chats/${code}/join`, { data: {} })).status()).toBeLessThan(300);

  const page = await ctx.newPage();
  await page.goto(`/chat/${code}`);
  await expect(page.getByTestId('composer-input')).toBeVisible({ timeout: 30_000 });
  await send(page, 'The map is buried under the crooked oak');
  await sendMany(page, 14, (i) => `clue number ${i}`);

  await page.getByTestId('chat-search').click();
  await expect(page).toHaveURL(/\/search\?in=/);
  await expect(page.getByTestId('search-in')).toContainText('Treasure hunt');
  await page.getByTestId('search-input').fill('crooked oak');
  await page.getByTestId('search-submit').click();
  const hit = page.getByTestId('search-hit');
  await expect(hit).toHaveCount(1, { timeout: 20_000 });
  await expect(hit.getByTestId('search-hit-room')).toHaveText('Treasure hunt');
  await expect(hit.locator('mark')).toHaveText(['crooked', 'oak']);
  await hit.click();
  await expect(page).toHaveURL(new RegExp(`/chat/${code}\\?at=\\d+$`));
  await expect(page.locator('[data-testid="message-content"]', { hasText: 'crooked oak' })).toBeInViewport({ timeout: 30_000 });
  await expect(page.locator('[data-testid="message-content"]', { hasText: 'clue number 13' })).not.toBeInViewport();
  await shot(page, 'search-phone-pop-chat-jump');
  await ctx.close();
});
