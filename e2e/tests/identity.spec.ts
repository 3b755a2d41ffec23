import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { API_URL, confirmFromOutbox, expectNoSeriousA11yIssues, joinWithRolledName, newContext, PHONE_CONTEXT, registerAccount, shot, unique } from './support';

const GENERATED = /^[A-Z][a-z]+[A-Z][a-z]+\d{3,5}$/;

/** An account, signed in in this context (its cookies), through the same API the forms use. */
async function registerIn(ctx: BrowserContext, username?: string) {
  const email = `${unique('id').toLowerCase()}@example.com`;
  await registerAccount(ctx, { email, password: 'Passw0rd!', ...(username ? { username } : {}) });
  return email;
}

async function createChat(ctx: BrowserContext, name: string): Promise<string> {
  const res = await ctx.request.post('/api/chats', { data: { name } });
  expect(res.status()).toBe(201);
  return `/chat/${(await res.json()).chat.code as string}`;
}


async function openJoinDialog(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByTestId('chat-name')).toBeVisible();
  await page.getByTestId('join-button').click();
  await expect(page.getByTestId('join-modal')).toBeVisible();
}

async function rolledName(page: Page) {
  await expect(page.getByTestId('rolled-name')).toHaveText(GENERATED);
  return (await page.getByTestId('rolled-name').textContent())!.trim();
}

test('an anonymous visitor on a phone rolls the dice, joins, and is the same person the next day in every chat', async ({ browser }) => {
  const hostCtx = await newContext(browser, 'desktop');
  await registerIn(hostCtx, unique('Host'));
  const first = await createChat(hostCtx, 'Morning show');
  const second = await createChat(hostCtx, 'Evening show');
  const third = await createChat(hostCtx, 'Late show');

  const phoneCtx = await newContext(browser, 'phone');
  const phone = await phoneCtx.newPage();
  await openJoinDialog(phone, first);
  // The dialog opens with a name already rolled, and no talk of limits.
  const one = await rolledName(phone);
  await expect(phone.getByTestId('join-submit')).toHaveText(`Join as ${one}`);
  await expect(phone.getByTestId('rolls-left')).toHaveCount(0);
  await shot(phone, 'phone-11-dice-rolled');
  await expectNoSeriousA11yIssues(phone, 'join dialog', '[data-testid="join-modal"]');

  await phone.getByTestId('roll-button').click();
  await expect(phone.getByTestId('rolled-name')).not.toHaveText(one);
  const two = await rolledName(phone);
  expect(two).not.toBe(one);
  await phone.getByTestId('join-submit').click();
  await expect(phone.getByTestId('composer-input')).toBeVisible();
  await phone.getByTestId('composer-input').fill('Good morning!');
  await phone.getByTestId('send-button').click();
  await expect(phone.locator('[data-testid="message"][data-status="sent"]', { hasText: 'Good morning!' })).toBeVisible();
  await shot(phone, 'phone-12-dice-joined');

  // The next day, the same browser: the same participation here, the same name in another chat.
  const nextDay = await phoneCtx.newPage();
  await nextDay.goto(first);
  await expect(nextDay.getByTestId('composer-input')).toBeVisible();
  await openJoinDialog(nextDay, second);
  await expect(nextDay.getByTestId('rolled-name')).toHaveText(two);
  await expect(nextDay.getByTestId('owned-note')).toContainText(`this device chats as ${two} everywhere`);
  await shot(nextDay, 'phone-13-dice-welcome-back');
  await nextDay.getByTestId('join-submit').click();
  await expect(nextDay.getByTestId('composer-input')).toBeVisible();
  const hostPage = await hostCtx.newPage();
  await hostPage.goto(second);
  await hostPage.getByTestId('participants-button').click();
  await expect(hostPage.getByTestId('participants-sheet')).toContainText(two);

  // Rolls run out after ten in the hour: the die stops and says how long to wait.
  await openJoinDialog(nextDay, third);
  await expect(nextDay.getByTestId('rolled-name')).toHaveText(two);
  // Eight rolls were used (one rolled for the newcomer, one by hand): the count shows once three are left.
  for (let left = 7; left >= 1; left--) {
    await nextDay.getByTestId('roll-button').click();
    if (left > 3) await expect(nextDay.getByTestId('rolls-left')).toHaveCount(0);
    else await expect(nextDay.getByTestId('rolls-left')).toHaveText(left === 1 ? '1 roll left this hour' : `${left} rolls left this hour`);
  }
  await nextDay.getByTestId('roll-button').click();
  await expect(nextDay.getByTestId('rolls-wait')).toHaveText(/No rolls left\. Next roll in (59|60) minutes\./);
  await expect(nextDay.getByTestId('roll-button')).toBeDisabled();
  await expect(nextDay.getByTestId('join-submit')).toBeEnabled();
  await shot(nextDay, 'phone-14-dice-limit');

  await Promise.all([hostCtx.close(), phoneCtx.close()]);
});

test('a registered user joins with their reserved name by default, or rolls a random one', async ({ browser }) => {
  const hostCtx = await newContext(browser, 'desktop');
  await registerIn(hostCtx, unique('Host'));
  const chat = await createChat(hostCtx, 'Verified lounge');

  const ctx = await newContext(browser, 'desktop');
  const name = unique('Vera');
  await registerIn(ctx, name);
  const page = await ctx.newPage();
  await openJoinDialog(page, chat);
  await expect(page.getByTestId('mode-reserved')).toHaveAttribute('data-state', 'checked');
  await expect(page.getByTestId('join-submit')).toHaveText(`Join as ${name}`);
  await shot(page, 'desktop-10-join-reserved');
  await page.getByTestId('mode-dice').click();
  // Choosing a random name rolls one.
  await expect(page.getByTestId('join-submit')).not.toHaveText(`Join as ${name}`);
  await expect(page.getByTestId('roll-button')).toBeEnabled();
  const random = await rolledName(page);
  await expect(page.getByTestId('join-submit')).toHaveText(`Join as ${random}`);
  await shot(page, 'desktop-11-join-random');
  await expectNoSeriousA11yIssues(page, 'join dialog (signed in)', '[data-testid="join-modal"]');
  await page.getByTestId('mode-reserved').click();
  await page.getByTestId('join-submit').click();
  await expect(page.getByTestId('composer-input')).toBeVisible();
  await page.getByTestId('participants-button').click();
  const row = page.getByTestId('participants-sheet').locator('[data-testid="participant"]', { hasText: name });
  await expect(row.getByTestId('verified-badge')).toBeVisible();
  await Promise.all([hostCtx.close(), ctx.close()]);
});

test('the registration form says live whether a name is free and which rule it breaks, and keeps a chat name', async ({ browser }) => {
  const other = await newContext(browser, 'desktop');
  const taken = unique('Taken');
  await registerIn(other, taken);
  const chat = await createChat(other, 'Upgrade corner');

  // A visitor chats anonymously on a phone first.
  const ctx = await newContext(browser, 'phone');
  const page = await ctx.newPage();
  await openJoinDialog(page, chat);
  const chatName = await joinWithRolledName(page);
  await expect(page.getByTestId('composer-input')).toBeVisible();

  await page.goto(`/register?next=${encodeURIComponent(chat)}`);
  const availability = page.getByTestId('username-availability');
  const input = page.getByTestId('register-username');
  await input.fill('abc');
  await expect(availability).toHaveAttribute('data-state', 'invalid');
  await expect(availability).toHaveText('A username needs at least 5 characters.');
  await input.fill('bad name');
  await expect(availability).toHaveText('A username may only use letters, digits and underscores.');
  await input.fill('Sh1tHead');
  await expect(availability).toHaveText('That username is not allowed. Try another one.');
  await input.fill(taken.toLowerCase());
  await expect(availability).toHaveAttribute('data-state', 'taken');
  await expect(availability).toHaveText(`${taken.toLowerCase()} is taken. Try another one.`);
  await shot(page, 'phone-15-register-taken');
  const fresh = unique('Fresh');
  await input.fill(fresh);
  await expect(availability).toHaveAttribute('data-state', 'available');
  await expect(availability).toHaveText(`${fresh} is available.`);
  await expectNoSeriousA11yIssues(page, 'register');

  // The name this phone chats under is offered, and it is theirs to keep.
  await page.getByTestId('use-owned-name').click();
  await expect(input).toHaveValue(chatName);
  await expect(availability).toHaveAttribute('data-state', 'yours');
  await expect(availability).toContainText(`You chat as ${chatName} on this device`);
  await shot(page, 'phone-16-register-yours');
  await page.getByTestId('register-email').fill(`${chatName.toLowerCase()}@example.com`);
  await page.getByTestId('register-password').fill('Passw0rd!');
  await page.getByTestId('register-submit').click();
  // Nobody is signed in before the emailed link is opened (registration tells no one who has an account).
  await expect(page.getByTestId('register-sent-to')).toHaveText(`${chatName.toLowerCase()}@example.com`);
  await shot(page, 'phone-16b-register-check-email');
  await confirmFromOutbox(page, `${chatName.toLowerCase()}@example.com`);
  await page.waitForURL(new RegExp(`${chat}$`));

  // Signed in, a new participation under the same name, now with the badge.
  await page.getByTestId('join-button').click();
  await expect(page.getByTestId('mode-reserved')).toContainText(chatName);
  await page.getByTestId('join-submit').click();
  await page.getByTestId('participants-button').click();
  const rows = page.getByTestId('participants-sheet').locator('[data-testid="participant"]', { hasText: chatName });
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('participants-sheet').getByTestId('verified-badge')).toHaveCount(2); // the host and this user
  await shot(page, 'phone-17-upgraded-with-badge');

  const desk = await other.newPage();
  await desk.goto('/register');
  await desk.getByTestId('register-username').fill(unique('Desk'));
  await expect(desk.getByTestId('username-availability')).toHaveAttribute('data-state', 'available');
  await shot(desk, 'desktop-12-register-available');
  await Promise.all([other.close(), ctx.close()]);
});

/** A small picture drawn in the page, as PNG bytes. */
async function drawnPng(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const g = canvas.getContext('2d')!;
    const gradient = g.createLinearGradient(0, 0, 320, 240);
    gradient.addColorStop(0, '#7c3aed');
    gradient.addColorStop(1, '#ec4899');
    g.fillStyle = gradient;
    g.fillRect(0, 0, 320, 240);
    g.fillStyle = '#ffffff';
    g.beginPath();
    g.arc(160, 120, 60, 0, Math.PI * 2);
    g.fill();
    return canvas.toDataURL('image/png').split(',')[1]!;
  });
  return Buffer.from(base64, 'base64');
}

test('a user edits their profile and avatar, sees their sessions and signs one out', async ({ browser }) => {
  const deskCtx = await newContext(browser, 'desktop');
  const name = unique('Prof');
  const email = await registerIn(deskCtx, name);
  const phoneCtx = await newContext(browser, 'phone');
  expect((await phoneCtx.request.post('/api/auth/login', { data: { email, password: 'Passw0rd!' } })).status()).toBe(200);

  const desk = await deskCtx.newPage();
  await desk.goto('/');
  await desk.getByTestId('account-link').click();
  await desk.waitForURL(/\/account$/);
  await expect(desk.getByTestId('profile-username')).toContainText(name);
  await desk.getByTestId('avatar-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await drawnPng(desk) });
  await expect(desk.getByTestId('avatar-section').getByTestId('user-avatar')).toHaveAttribute('src', /^\/api\/avatars\/.+\.webp$/);
  await desk.getByTestId('profile-display-name').fill('Professor Plum');
  await desk.getByTestId('profile-bio').fill('Host of the late show. Ask me about board games.');
  await desk.getByTestId('profile-status').selectOption('busy');
  await desk.getByTestId('privacy-last-seen').click();
  await desk.getByTestId('profile-save').click();
  await expect(desk.getByTestId('profile-saved')).toBeVisible();
  await desk.reload();
  await expect(desk.getByTestId('profile-display-name')).toBeVisible();
  await shot(desk, 'desktop-13-account');
  await expect(desk.getByTestId('profile-display-name')).toHaveValue('Professor Plum');
  await expect(desk.getByTestId('profile-status')).toHaveValue('busy');
  await expect(desk.getByTestId('privacy-last-seen')).toHaveAttribute('data-state', 'checked');
  await expect(desk.getByTestId('privacy-receipts')).toHaveAttribute('data-state', 'unchecked');
  await expectNoSeriousA11yIssues(desk, 'account');

  const phone = await phoneCtx.newPage();
  await phone.goto('/account');
  await expect(phone.getByTestId('profile-display-name')).toHaveValue('Professor Plum');
  await shot(phone, 'phone-18-account');
  await phone.getByTestId('tab-sessions').click();
  await expect(phone.getByTestId('session')).toHaveCount(2);
  await shot(phone, 'phone-19-sessions');

  await desk.getByTestId('tab-sessions').click();
  await expect(desk.getByTestId('session')).toHaveCount(2);
  await expect(desk.locator('[data-testid="session"][data-current="true"]').getByTestId('session-current')).toHaveText('This device');
  await expect(desk.locator('[data-testid="session"][data-current="false"]').getByTestId('session-device')).toHaveText(/on iOS/);
  await shot(desk, 'desktop-14-sessions');
  await expectNoSeriousA11yIssues(desk, 'sessions');
  await desk.locator('[data-testid="session"][data-current="false"]').getByTestId('session-sign-out').click();
  await expect(desk.getByTestId('session')).toHaveCount(1);

  // The phone is signed out at once.
  await phone.reload();
  await phone.waitForURL(/\/login\?next=%2Faccount%2Fsessions$/);

  // Sign out everywhere, after a confirmation.
  await desk.getByTestId('sign-out-all').click();
  await expect(desk.getByTestId('confirm-sign-out-all')).toBeVisible();
  await shot(desk, 'desktop-15-sign-out-everywhere');
  await desk.getByTestId('confirm-sign-out-all-button').click();
  await desk.waitForURL(/\/login$/);
  await Promise.all([deskCtx.close(), phoneCtx.close()]);
});

test('a forgotten password is reset by an emailed link, read in the dev outbox', async ({ browser }) => {
  const ctx = await newContext(browser, 'phone');
  const email = await registerIn(ctx);
  await ctx.clearCookies();
  const page = await ctx.newPage();
  await page.goto('/login');
  await page.getByTestId('forgot-link').click();
  await page.getByTestId('forgot-email').fill(email);
  await page.getByTestId('forgot-submit').click();
  await expect(page.getByTestId('reset-requested')).toContainText('If an account uses that email, we sent it a link');
  await shot(page, 'phone-20-forgot-sent');

  // The dev outbox is the API's page, for the person at its machine: a browser
  // there (no forwarded address) sees the mail; the web app does not relay it.
  expect((await page.request.get('/api/dev/outbox')).status()).toBe(404);
  const local = await browser.newContext(PHONE_CONTEXT);
  const outbox = await local.newPage();
  await outbox.goto(`${API_URL}/dev/outbox`);
  const mail = outbox.locator('li', { hasText: email }).filter({ hasText: 'Reset your ChatPop password' }).first();
  await expect(mail).toBeVisible();
  await shot(outbox, 'phone-21-dev-outbox');
  const link = (await mail.locator('a').first().getAttribute('href'))!;
  expect(link).toMatch(/\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
  await local.close();
  await page.goto(link);
  await expect(page.getByTestId('reset-form')).toBeVisible();
  await page.getByTestId('reset-password').fill('weak');
  await page.getByTestId('reset-submit').click();
  await expect(page.getByTestId('reset-form')).toContainText('The password needs');
  await page.getByTestId('reset-password').fill('N3w-Passw0rd');
  // Editing the password clears the complaint about the old one.
  await expect(page.getByTestId('reset-form')).not.toContainText('The password needs');
  await shot(page, 'phone-22-reset-form');
  await page.getByTestId('reset-submit').click();
  await page.waitForURL(/\/account\?reset=1$/);
  await expect(page.getByTestId('profile-section')).toBeVisible();

  // The link worked once.
  await page.goto(new URL(link).pathname + new URL(link).search);
  await page.getByTestId('reset-password').fill('An0ther-pass');
  await page.getByTestId('reset-submit').click();
  await expect(page.getByTestId('reset-invalid')).toHaveText('This reset link is invalid, used or expired. Ask for a new one.');
  await shot(page, 'phone-23-reset-link-used');

  // The new password signs in; the old one does not.
  const fresh = await newContext(browser, 'desktop');
  expect((await fresh.request.post('/api/auth/login', { data: { email, password: 'Passw0rd!' } })).status()).toBe(401);
  expect((await fresh.request.post('/api/auth/login', { data: { email, password: 'N3w-Passw0rd' } })).status()).toBe(200);
  await Promise.all([ctx.close(), fresh.close()]);
});
