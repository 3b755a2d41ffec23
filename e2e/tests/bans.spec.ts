import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, joinWithRolledName, message, newContext, registerAccount, registerThroughForm, send, shot, unique } from './support';

/**
 * Where a person meets the rules of issue 9 (items 7 and 8): a ban that holds
 * against the person — both participations of one browser told at once, the
 * chat closed to them with the reason, signed in or out — and paid messages
 * that meet the chat's rules before the charge (a refused checkout says why)
 * and when the money arrives (refunded, with the reason).
 */

const DESKTOP_SIZE = { width: 1440, height: 900 };

async function hostCreatesChat(ctx: BrowserContext, chatName: string, money = false) {
  const page = await ctx.newPage();
  await registerThroughForm(page, unique('Hst'));
  await page.goto('/create');
  await page.getByTestId('chat-name-input').fill(chatName);
  if (money) {
    await page.getByTestId('pins-enabled').click();
    await page.getByTestId('tips-enabled').click();
  }
  await page.getByTestId('create-submit').click();
  await page.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return { page, url: page.url(), code: page.url().split('/').pop()! };
}

/** Opens the chat, rolls the dice for a name and joins with it. */
async function joinAnonymously(page: Page, url: string) {
  await page.goto(url);
  await page.getByTestId('join-button').click();
  const name = await joinWithRolledName(page);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return name;
}

test('a ban holds against the person: both participations of one browser are told at once, and the chat stays closed to them', async ({ browser }) => {
  test.setTimeout(240_000);
  const hostCtx = await newContext(browser, 'desktop', { ip: '198.51.100.80' });
  const { page: host, url } = await hostCreatesChat(hostCtx, 'Ban night');
  await host.setViewportSize(DESKTOP_SIZE);

  // One phone: a guest in one tab, then an account of the same browser in another.
  const visitorCtx = await newContext(browser, 'phone', { ip: '203.0.113.80' });
  const guestTab = await visitorCtx.newPage();
  const guestName = await joinAnonymously(guestTab, url);
  await send(guestTab, 'hello as a guest');
  const username = unique('Alt');
  await registerAccount(visitorCtx, { email: `${username.toLowerCase()}@example.com`, password: 'Passw0rd!', username });
  const accountTab = await visitorCtx.newPage();
  await accountTab.goto(url);
  await accountTab.getByTestId('join-button').click();
  await expect(accountTab.getByTestId('mode-reserved')).toBeVisible();
  await accountTab.getByTestId('join-submit').click();
  await expect(accountTab.getByTestId('composer-input')).toBeVisible();
  await send(accountTab, 'hello with my account');
  await expect(message(host, 'hello with my account')).toBeVisible();

  // The host bans the account's participation: the guest one of the same browser is banned with it.
  await host.getByTestId('participants-button').click();
  const accountRow = host.locator('[data-testid="participant"]', { hasText: username });
  await accountRow.getByTestId('participant-menu').click();
  await host.getByTestId('participant-ban').click();
  // This time the host keeps their messages up.
  await host.getByTestId('ban-delete-recent').click();
  await expect(host.getByTestId('ban-delete-recent')).toHaveAttribute('aria-checked', 'false');
  await host.getByTestId('ban-confirm-button').click();
  await expect(accountRow).toContainText('Banned');
  await expect(host.locator('[data-testid="participant"]', { hasText: guestName })).toContainText('Banned');
  await shot(host, 'desktop-80-ban-holds-for-both');
  await host.keyboard.press('Escape');

  for (const tab of [accountTab, guestTab]) {
    await expect(tab.getByTestId('chat-fatal')).toHaveText('You have been banned from this chat.');
    await expect(tab.getByTestId('composer-input')).toBeHidden();
  }
  await shot(guestTab, 'phone-80-banned-live');

  // Opened again, signed in or signed out, the chat shows nothing of itself, only why.
  await accountTab.reload();
  await expect(accountTab.getByTestId('chat-banned')).toContainText('You have been banned from this chat.');
  await expect(accountTab.getByTestId('message-list')).toHaveCount(0);
  await expectNoSeriousA11yIssues(accountTab, 'banned page');
  await shot(accountTab, 'phone-81-banned-page');
  expect((await visitorCtx.request.post('/api/auth/logout', { headers: { 'x-chatpop-csrf': '1' } })).status()).toBe(204);
  await guestTab.reload();
  await expect(guestTab.getByTestId('chat-banned')).toBeVisible();
  await expect(guestTab.getByTestId('message-list')).toHaveCount(0);

  // The same browser on a big screen, from another network: still closed.
  const deskCtx = await newContext(browser, 'desktop', { ip: '192.0.2.80' });
  await deskCtx.addCookies(await visitorCtx.cookies());
  const desk = await deskCtx.newPage();
  await desk.setViewportSize(DESKTOP_SIZE);
  await desk.goto(url);
  await expect(desk.getByTestId('chat-banned')).toContainText('You have been banned from this chat.');
  await shot(desk, 'desktop-81-banned-page');

  // The messages stayed up, as the host chose.
  await expect(message(host, 'hello with my account')).toBeVisible();

  // Everyone else carries on.
  await send(host, 'On with the show');
  await expect(message(host, 'On with the show')).toHaveAttribute('data-status', 'sent');
  await Promise.all([hostCtx.close(), visitorCtx.close(), deskCtx.close()]);
});

test('a refused checkout says why, and a payment that can no longer be delivered is refunded with the reason', async ({ browser }) => {
  test.setTimeout(240_000);
  const hostCtx = await newContext(browser, 'phone', { ip: '198.51.100.81' });
  const { code, url } = await hostCreatesChat(hostCtx, 'Raid drill', true);
  const settings = (s: Record<string, unknown>) => hostCtx.request.patch(`/api/chats/${code}`, { data: { settings: s } });
  expect((await settings({ lockdown: { active: true, slowModeSeconds: 0, newcomerMinutes: 0, blockLinks: true } })).status()).toBe(200);

  const fanCtx = await newContext(browser, 'phone', { ip: '198.51.100.82' });
  const fan = await fanCtx.newPage();
  await joinAnonymously(fan, url);
  await expect(fan.getByTestId('lockdown-banner')).toContainText('links off');

  // A paid pin with a link: refused before any charge, with the rule's words.
  await fan.getByTestId('composer-input').fill('Deals at example.com tonight');
  await fan.getByTestId('money-menu').click();
  await fan.getByTestId('money-pin').click();
  await expect(fan.getByTestId('pin-text')).toHaveValue('Deals at example.com tonight');
  await fan.getByTestId('pin-submit').click();
  await expect(fan.getByTestId('pin-error')).toHaveText('Links are turned off in this chat for now.');
  await expect(fan).toHaveURL(/\/chat\/[0-9A-Z]{8}$/);
  await shot(fan, 'phone-82-pin-refused');
  await fan.keyboard.press('Escape');

  // The same on a desktop: a tip whose note carries a link.
  const deskCtx = await newContext(browser, 'desktop', { ip: '192.0.2.81' });
  await deskCtx.addCookies(await fanCtx.cookies());
  const desk = await deskCtx.newPage();
  await desk.setViewportSize(DESKTOP_SIZE);
  await desk.goto(url);
  await expect(desk.getByTestId('composer-input')).toBeVisible();
  await desk.getByTestId('money-menu').click();
  await desk.getByTestId('money-tip').click();
  await desk.getByTestId('tip-preset-300').click();
  await desk.getByTestId('tip-note').fill('my channel: www.example.com');
  await desk.getByTestId('tip-submit').click();
  await expect(desk.getByTestId('tip-error')).toHaveText('Links are turned off in this chat for now.');
  await shot(desk, 'desktop-82-tip-refused');
  await desk.keyboard.press('Escape');

  // A tip that passes, but the host locks the chat before it is paid: not posted, refunded, and the checkout says why.
  await fan.getByTestId('money-menu').click();
  await fan.getByTestId('money-tip').click();
  await fan.getByTestId('tip-preset-300').click();
  await fan.getByTestId('tip-note').fill('Thanks for the stream');
  await fan.getByTestId('tip-submit').click();
  await fan.waitForURL(/\/pay\/[^/]+$/);
  await expect(fan.getByTestId('checkout-amount')).toHaveText('$3');
  expect((await settings({ locked: true })).status()).toBe(200);
  await fan.getByTestId('checkout-confirm').click();
  const outcome = fan.getByTestId('checkout-outcome');
  await expect(outcome).toHaveAttribute('data-status', 'refunded');
  await expect(outcome).toContainText('Refunded in full.');
  await expect(fan.getByTestId('checkout-outcome-reason')).toHaveText(
    'Not delivered: The host has locked this chat: nothing can be posted now, paid messages included. Refunded in full.',
  );
  await expectNoSeriousA11yIssues(fan, 'refunded checkout');
  await shot(fan, 'phone-83-refunded-not-delivered');
  await fan.getByTestId('checkout-back').click();
  await fan.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await expect(fan.getByTestId('message-list')).not.toContainText('Thanks for the stream');
  await Promise.all([hostCtx.close(), fanCtx.close(), deskCtx.close()]);
});
