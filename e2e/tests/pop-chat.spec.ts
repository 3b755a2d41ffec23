import { expect, test, type Locator, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { confirmFromOutbox, expectNoSeriousA11yIssues, goOffline, goOnline, joinWithRolledName, newContext, registerThroughForm, send, shot, unique } from './support';

/** Messages a page shows, as [seq, text] of the sent (not pending) ones, system notices left out. */
async function shownMessages(page: Page) {
  return page.locator('[data-testid="message"]:not([data-type="system"])').evaluateAll((els) =>
    els.map((el) => ({
      seq: Number(el.getAttribute('data-seq')),
      status: el.getAttribute('data-status'),
      text: el.querySelector('[data-testid="message-content"]')?.textContent?.trim() ?? '',
    })),
  );
}


/** Opens the chat, rolls the dice for a name and joins with it; returns the name. */
async function joinAs(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await expect(page.getByTestId('chat-name')).toBeVisible();
  await page.getByTestId('join-button').click();
  await expect(page.getByTestId('join-modal')).toBeVisible();
  const name = await joinWithRolledName(page);
  await expect(page.getByTestId('join-modal')).toBeHidden();
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return name;
}

test('a host creates a chat, two participants join from a phone and a desktop, and nothing is lost offline', async ({ browser }) => {
  const hostName = unique('Host');
  const hostCtx = await newContext(browser, 'desktop');
  const host = await hostCtx.newPage();

  // The host registers and creates a chat.
  await host.goto('/');
  await shot(host, 'desktop-01-home');
  await host.getByTestId('register-link').first().click();
  await expect(host.getByTestId('register-form')).toBeVisible();
  await host.getByTestId('register-email').fill(`${hostName.toLowerCase()}@example.com`);
  await host.getByTestId('register-password').fill('Passw0rd!');
  await host.getByTestId('register-username').fill(hostName);
  await shot(host, 'desktop-02-register');
  await host.getByTestId('register-submit').click();
  await expect(host.getByTestId('register-sent')).toBeVisible();
  await shot(host, 'desktop-02b-register-check-email');
  await confirmFromOutbox(host, `${hostName.toLowerCase()}@example.com`);
  await host.waitForURL(/\/$/);
  await expect(host.getByTestId('signed-in-as')).toContainText(hostName);
  await host.getByTestId('create-chat').click();
  await expect(host.getByTestId('create-form')).toBeVisible();
  await host.getByTestId('chat-name-input').fill('Launch party');
  await host.getByTestId('chat-description-input').fill('Questions about the launch');
  await shot(host, 'desktop-03-create');
  await host.getByTestId('create-submit').click();
  await host.waitForURL(/\/chat\/[0-9A-HJKMNP-TV-Z]{8}$/);
  const chatUrl = host.url();
  await expect(host.getByTestId('chat-name')).toHaveText('Launch party');
  await shot(host, 'desktop-04-host-created');
  await send(host, 'Welcome! Ask me anything.');
  await expect(host.getByTestId('sticky-host')).toContainText('Welcome! Ask me anything.');

  // A participant on a phone reads first, then joins anonymously.
  const phoneCtx = await newContext(browser, 'phone');
  const phone = await phoneCtx.newPage();
  await phone.goto(chatUrl);
  await expect(phone.getByTestId('sticky-host')).toContainText('Welcome! Ask me anything.');
  await shot(phone, 'phone-01-chat-before-joining');
  await phone.getByTestId('join-button').click();
  // The dialog opens with a name rolled.
  await expect(phone.getByTestId('join-submit')).toHaveText(/^Join as /);
  await expect(phone.getByTestId('roll-button')).toBeEnabled();
  await expect(phone.getByTestId('rolled-name')).toHaveText(/^[A-Z][a-z]+[A-Z][a-z]+\d{3,5}$/);
  const phoneName = (await phone.getByTestId('rolled-name').textContent())!.trim();
  await shot(phone, 'phone-02-join-rolled');
  await phone.getByTestId('join-submit').click();
  await expect(phone.getByTestId('composer-input')).toBeVisible();

  // A participant on a desktop joins too.
  const deskCtx = await newContext(browser, 'desktop');
  const desk = await deskCtx.newPage();
  const deskName = await joinAs(desk, chatUrl);
  await expect(host.getByTestId('online-count')).toContainText('3');

  // Both ways, in real time, with typing.
  await phone.getByTestId('composer-input').fill('Typing away');
  await expect(desk.getByTestId('typing-line')).toContainText(phoneName);
  await phone.getByTestId('send-button').click();
  await expect(desk.getByTestId('message-list').getByText('Typing away')).toBeVisible();
  await expect(host.getByTestId('message-list').getByText('Typing away')).toBeVisible();
  await send(desk, 'Hello from the desktop');
  await expect(phone.getByTestId('message-list').getByText('Hello from the desktop')).toBeVisible();
  await send(host, 'Launch is Friday');
  await expect(phone.getByTestId('sticky-host')).toContainText('Launch is Friday');
  await shot(phone, 'phone-03-chatting');
  await shot(desk, 'desktop-05-chatting');

  // Reply with the quoted original.
  await desk.locator('[data-testid="message"]', { hasText: 'Typing away' }).hover();
  await desk.locator('[data-testid="message"]', { hasText: 'Typing away' }).getByTestId('reply-button').click();
  await expect(desk.getByTestId('reply-preview')).toContainText('Typing away');
  await send(desk, 'Replying to you');
  await expect(phone.locator('[data-testid="message"]', { hasText: 'Replying to you' }).getByTestId('reply-quote')).toContainText('Typing away');

  // The desktop participant loses the network; the chat goes on without them.
  await goOffline(deskCtx);
  await expect(desk.getByTestId('reconnect-banner')).toBeVisible();
  await shot(desk, 'desktop-06-offline');
  await send(desk, 'Sent while offline');
  await expect(desk.locator('[data-testid="message"][data-status="pending"]', { hasText: 'Sent while offline' })).toBeVisible();
  for (let i = 1; i <= 6; i++) await send(i % 2 ? phone : host, `Missed message ${i}`);
  await expect(phone.getByTestId('message-list').getByText('Missed message 6')).toBeVisible();
  await goOnline(deskCtx);
  await expect(desk.getByTestId('reconnect-banner')).toBeHidden({ timeout: 20_000 });
  await expect(desk.getByTestId('message-list').getByText('Missed message 6')).toBeVisible();
  await expect(phone.getByTestId('message-list').getByText('Sent while offline')).toBeVisible();
  await expect(desk.locator('[data-testid="message"]', { hasText: 'Sent while offline' })).toHaveAttribute('data-status', 'sent');
  await shot(desk, 'desktop-07-back-online');

  // Every participant holds the same history: same order, none twice.
  const reference = await shownMessages(phone);
  for (const page of [desk, host]) {
    await expect.poll(async () => (await shownMessages(page)).map((m) => m.seq)).toEqual(reference.map((m) => m.seq));
  }
  const seqs = reference.map((m) => m.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  const missed = reference.filter((m) => m.text.startsWith('Missed message')).map((m) => m.text);
  expect(missed).toEqual([1, 2, 3, 4, 5, 6].map((i) => `Missed message ${i}`));

  // A reload keeps the participation and the whole history.
  await phone.reload();
  await expect(phone.getByTestId('composer-input')).toBeVisible();
  await expect(phone.getByTestId('message-list').getByText('Missed message 6')).toBeVisible();

  // Participants sheet, then accessibility.
  await phone.getByTestId('participants-button').click();
  await expect(phone.getByTestId('participants-sheet')).toContainText(deskName);
  await shot(phone, 'phone-04-participants');
  await phone.keyboard.press('Escape');
  for (const [page, name] of [
    [phone, 'phone'],
    [desk, 'desktop'],
  ] as const) {
    await expectNoSeriousA11yIssues(page, name);
  }

  await Promise.all([hostCtx.close(), phoneCtx.close(), deskCtx.close()]);
});

test('a private chat shows nothing before its access code', async ({ browser }) => {
  const hostCtx = await newContext(browser, 'desktop');
  const host = await hostCtx.newPage();
  const name = unique('Priv');
  await registerThroughForm(host, name);
  await host.goto('/create');
  await host.getByTestId('chat-name-input').fill('The secret garden');
  await host.getByTestId('access-private').check({ force: true });
  await host.getByTestId('chat-access-code-input').fill('tulips-2026');
  await host.getByTestId('create-submit').click();
  await host.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await shot(host, 'desktop-08-private-created');

  const phoneCtx = await newContext(browser, 'phone');
  const phone = await phoneCtx.newPage();
  await phone.goto(host.url());
  await expect(phone.getByTestId('access-gate')).toBeVisible();
  await expect(phone.locator('body')).not.toContainText('secret garden');
  await phone.getByTestId('access-code-input').fill('roses');
  await phone.getByTestId('access-code-submit').click();
  await expect(phone.getByTestId('access-code-error')).toContainText('not right');
  await shot(phone, 'phone-05-access-code-wrong');
  await phone.getByTestId('access-code-input').fill('tulips-2026');
  await phone.getByTestId('access-code-submit').click();
  await expect(phone.getByTestId('chat-name')).toHaveText('The secret garden');
  await shot(phone, 'phone-06-private-open');

  // The host's link can carry the code: its QR code holds that link, and a friend who opens it is let straight in.
  const card = host.getByTestId('share-card');
  await expect(card.getByTestId('chat-link')).not.toContainText('#access');
  await card.getByTestId('share-with-code').click();
  await expect(card.getByTestId('chat-link')).toContainText('#access=tulips-2026');
  const withCode = (await card.getByTestId('chat-link').textContent())!;
  await card.getByTestId('show-qr-code').click();
  const qr = host.getByTestId('qr-code-dialog');
  await expect(qr.getByTestId('qr-code-image')).toBeVisible();
  await expect(qr).toContainText('without typing the access code');
  expect(await decodeQr(qr.getByTestId('qr-code-image'))).toBe(withCode);
  await shot(host, 'desktop-09-private-qr-code');
  await expectNoSeriousA11yIssues(host, 'QR code dialog');
  await host.keyboard.press('Escape');
  await expect(qr).toBeHidden();

  const friendCtx = await newContext(browser, 'phone');
  const friend = await friendCtx.newPage();
  await friend.goto(withCode);
  await expect(friend.getByTestId('chat-name')).toHaveText('The secret garden');
  await expect(friend.getByTestId('access-gate')).toHaveCount(0);
  expect(new URL(friend.url()).hash, 'the code leaves the address bar').toBe('');
  // A link whose code is wrong (changed since) stops at the gate with the code in the field and says so.
  const stale = await (await newContext(browser, 'phone')).newPage();
  await stale.goto(withCode.replace('tulips-2026', 'roses'));
  await expect(stale.getByTestId('access-code-error')).toContainText('not right');
  await expect(stale.getByTestId('access-code-input')).toHaveValue('roses');
  await Promise.all([hostCtx.close(), phoneCtx.close(), friendCtx.close(), stale.context().close()]);
});

/** Reads a QR code image as a phone's camera would: its pixels, decoded. */
async function decodeQr(image: Locator): Promise<string | null> {
  const { width, height, data } = await image.evaluate((img: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return { width: pixels.width, height: pixels.height, data: Array.from(pixels.data) };
  });
  return jsQR(Uint8ClampedArray.from(data), width, height)?.data ?? null;
}

test('themes switch per participant and set the browser colour', async ({ browser }) => {
  const ctx = await newContext(browser, 'phone');
  const page = await ctx.newPage();
  const name = unique('Thm');
  await registerThroughForm(page, name);
  await page.goto('/create');
  await page.getByTestId('chat-name-input').fill('Ocean chat');
  await page.getByTestId('theme-ocean-blue').check({ force: true });
  await page.getByTestId('create-submit').click();
  await page.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await send(page, 'Theme check');
  const themeColor = () => page.locator('meta[name="theme-color"]').last().getAttribute('content');
  const ocean = await themeColor();
  await shot(page, 'phone-07-theme-ocean-blue');
  await page.getByTestId('theme-button').click();
  await page.getByTestId('theme-option-dark-mode').click();
  await expect.poll(themeColor).not.toBe(ocean);
  await shot(page, 'phone-08-theme-dark-mode');
  await page.getByTestId('theme-button').click();
  await page.getByTestId('theme-option-purple-dream').click();
  await shot(page, 'phone-09-theme-purple-dream');
  await page.reload();
  await expect(page.getByTestId('composer-input')).toBeVisible();
  await expect.poll(themeColor).not.toBe(ocean);
  await ctx.close();
});
