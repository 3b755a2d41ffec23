import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, joinWithRolledName, newContext, registerAccount, send, shot, unique } from './support';

// Signing out everywhere ends every live chat of the account at once, on
// every device: each says so and offers to sign in again, rather than
// reconnecting on its own. Anonymous participants chat on.

const SIGNED_OUT = 'You were signed out, on this device or another. Sign in again to keep chatting.';

async function joinWithReservedName(page: Page, path: string, name: string) {
  await page.goto(path);
  await expect(page.getByTestId('chat-name')).toBeVisible();
  await page.getByTestId('join-button').click();
  await expect(page.getByTestId('join-submit')).toHaveText(`Join as ${name}`);
  await page.getByTestId('join-submit').click();
  await expect(page.getByTestId('composer-input')).toBeVisible();
}

async function joinAnonymously(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByTestId('chat-name')).toBeVisible();
  await page.getByTestId('join-button').click();
  await joinWithRolledName(page);
  await expect(page.getByTestId('composer-input')).toBeVisible();
}

const sent = (page: Page, text: string) => page.locator('[data-testid="message"][data-status="sent"]', { hasText: text });

test('signing out everywhere ends the account’s chats on every device, which say so and lead back after signing in', async ({ browser }) => {
  const hostCtx = await newContext(browser, 'desktop');
  const hostName = unique('OutHost');
  await registerAccount(hostCtx, { email: `${hostName.toLowerCase()}@example.com`, password: 'Passw0rd!', username: hostName });
  const created = await hostCtx.request.post('/api/chats', { data: { name: 'Signed out everywhere' } });
  expect(created.status()).toBe(201);
  const path = `/chat/${(await created.json()).chat.code as string}`;

  // One account on a laptop and a phone: two sessions.
  const name = unique('Sam');
  const email = `${name.toLowerCase()}@example.com`;
  const deskCtx = await newContext(browser, 'desktop');
  await registerAccount(deskCtx, { email, password: 'Passw0rd!', username: name });
  const phoneCtx = await newContext(browser, 'phone');
  expect((await phoneCtx.request.post('/api/auth/login', { data: { email, password: 'Passw0rd!' } })).status()).toBe(200);
  const guestCtx = await newContext(browser, 'phone');

  const desk = await deskCtx.newPage();
  await desk.setViewportSize({ width: 1440, height: 900 });
  await joinWithReservedName(desk, path, name);
  const phone = await phoneCtx.newPage();
  await phone.goto(path);
  // The account's participation, on the phone too.
  await expect(phone.getByTestId('composer-input')).toBeVisible();
  const guest = await guestCtx.newPage();
  await joinAnonymously(guest, path);

  await send(phone, 'Hello from my phone');
  await expect(sent(desk, 'Hello from my phone')).toBeVisible();

  // From the laptop's sessions page (another tab), sign out everywhere.
  const settings = await deskCtx.newPage();
  await settings.goto('/account/sessions');
  await expect(settings.getByTestId('session')).toHaveCount(2);
  await settings.getByTestId('sign-out-all').click();
  await settings.getByTestId('confirm-sign-out-all-button').click();
  await settings.waitForURL(/\/login$/);
  await settings.close();

  // Both chats of the account say so at once, with a way back; nothing can be sent.
  for (const page of [desk, phone]) {
    await expect(page.getByTestId('chat-signed-out')).toContainText(SIGNED_OUT);
    await expect(page.getByTestId('chat-sign-in')).toHaveAttribute('href', `/login?next=${encodeURIComponent(path)}`);
    await expect(page.getByTestId('reconnect-banner')).toHaveCount(0);
  }
  await expect(phone.getByTestId('composer-input')).toHaveCount(0);
  await shot(phone, 'phone-40-signed-out-chat');
  await shot(desk, 'desktop-40-signed-out-chat');
  await expectNoSeriousA11yIssues(phone, 'chat after signing out everywhere');
  await expectNoSeriousA11yIssues(desk, 'chat after signing out everywhere');

  // The anonymous participant chats on, and the host hears them.
  const hostPage = await hostCtx.newPage();
  await hostPage.goto(path);
  await expect(hostPage.getByTestId('composer-input')).toBeVisible();
  await send(guest, 'Still here');
  await expect(sent(guest, 'Still here')).toBeVisible();
  await expect(hostPage.locator('[data-testid="message"]', { hasText: 'Still here' })).toBeVisible();
  // Still no reconnecting on the signed-out devices: the banner stands.
  await expect(phone.getByTestId('chat-signed-out')).toBeVisible();
  await expect(phone.getByTestId('reconnect-banner')).toHaveCount(0);

  // Signing in again on the phone leads back to the chat, live.
  await phone.getByTestId('chat-sign-in').click();
  await phone.waitForURL(/\/login\?next=/);
  await phone.getByTestId('login-email').fill(email);
  await phone.getByTestId('login-password').fill('Passw0rd!');
  await phone.getByTestId('login-submit').click();
  await phone.waitForURL(new RegExp(`${path}$`));
  await expect(phone.getByTestId('composer-input')).toBeEnabled();
  await expect(phone.getByTestId('chat-signed-out')).toHaveCount(0);
  await send(phone, 'Back again');
  await expect(sent(phone, 'Back again')).toBeVisible();
  await expect(hostPage.locator('[data-testid="message"]', { hasText: 'Back again' })).toBeVisible();
  await shot(phone, 'phone-41-signed-in-again');

  await Promise.all([hostCtx.close(), deskCtx.close(), phoneCtx.close(), guestCtx.close()]);
});
