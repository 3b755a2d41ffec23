import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, joinWithRolledName, longPress, message, newContext, playedSounds, recordSounds, registerThroughForm, send, shot, unique } from './support';

/**
 * Money on phones, all on the test provider (issue 5): a host opens a chat
 * with a Back Room, paid pins and tips; a participant buys a seat and talks
 * with the host in the Back Room (another cannot read it); a $10 pin is
 * outbid for $12; a $3 tip with a note reaches everyone; the host reads
 * Earnings (fee and net) and refunds a seat.
 */

const PASSWORD = 'Passw0rd!';




async function hostCreatesMoneyChat(ctx: BrowserContext, chatName: string) {
  const page = await ctx.newPage();
  const name = unique('Hst');
  const email = await registerThroughForm(page, name, PASSWORD);
  await page.goto('/create');
  await page.getByTestId('chat-name-input').fill(chatName);
  await page.getByTestId('backroom-enabled').click();
  await page.getByTestId('backroom-price-input').fill('5');
  await page.getByTestId('backroom-seats-input').fill('10');
  await page.getByTestId('pins-enabled').click();
  await page.getByTestId('tips-enabled').click();
  await shot(page, 'phone-50-create-with-money');
  await page.getByTestId('create-submit').click();
  await page.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return { page, name, email };
}

async function joinAs(ctx: BrowserContext, url: string, prepare?: (page: Page) => Promise<void>) {
  const page = await ctx.newPage();
  await prepare?.(page);
  await page.goto(url);
  await page.getByTestId('join-button').click();
  const name = await joinWithRolledName(page);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return { page, name };
}

/** On the test provider's checkout page: checks what it says, then pays. */
async function payOnCheckout(page: Page, amount: string, what: RegExp, screenshot?: string) {
  await page.waitForURL(/\/pay\/[^/]+$/);
  await expect(page.getByTestId('test-mode-banner')).toHaveText(/Test mode — no real money/);
  await expect(page.getByTestId('checkout-amount')).toHaveText(amount);
  await expect(page.getByTestId('checkout-description')).toHaveText(what);
  // Each purpose has its own refund rule: a seat or a tip never shows the pin's.
  const rule = page.getByTestId('checkout-refund-rule');
  if (/seat/i.test(what.source)) await expect(rule).toContainText('A seat the host refunds from Earnings ends at once');
  else if (/tip/i.test(what.source)) await expect(rule).toContainText('A tip is a gift to the host');
  else await expect(rule).toContainText('A paid pin that the host or a moderator takes down');
  if (screenshot) await shot(page, screenshot);
  await page.getByTestId('checkout-confirm').click();
  await page.waitForURL(/\/chat\/[0-9A-Z]{8}/);
}



test('a Back Room seat, a pin outbid, a tip, and the host refunds from Earnings — on phones, with the test provider', async ({ browser }) => {
  test.setTimeout(300_000);
  const hostCtx = await newContext(browser, 'phone');
  await recordSounds(hostCtx);
  const { page: host, email: hostEmail } = await hostCreatesMoneyChat(hostCtx, 'Money Night');
  const url = host.url().replace(/\?.*$/, '');
  const code = url.split('/').pop()!;
  await expect(host.getByTestId('backroom-summary')).toHaveText(/Back Room · 0\/10 seats · \$5/);
  await expect(host.getByTestId('backroom-enter')).toBeVisible();

  const aliceCtx = await newContext(browser, 'phone');
  // Alice's socket passes through here, so the test can hold back pin updates
  // from her for a moment (a price change she has not heard of yet).
  const held = { pins: false };
  const { page: alice, name: aliceName } = await joinAs(aliceCtx, url, (page) =>
    page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((frame) => {
        if (held.pins && typeof frame === 'string' && frame.includes('"pins:updated"')) return;
        ws.send(frame);
      });
    }),
  );
  const bobCtx = await newContext(browser, 'phone');
  await recordSounds(bobCtx);
  const { page: bob, name: bobName } = await joinAs(bobCtx, url);

  // ---- Back Room: Alice buys a seat; Bob sees the count move and cannot read it.
  await expect(alice.getByTestId('backroom-summary')).toHaveText(/0\/10 seats · \$5/);
  await shot(alice, 'phone-51-backroom-bar');
  await alice.getByTestId('backroom-buy').click();
  await expect(alice.getByTestId('checkout')).toBeVisible();
  await expectNoSeriousA11yIssues(alice, 'checkout');
  await payOnCheckout(alice, '$5', /Back Room seat/, 'phone-52-checkout-seat');
  await expect(alice.getByTestId('payment-notice')).toContainText('Back Room seat');
  await expect(alice.getByTestId('backroom-inside')).toBeVisible();
  await expect(bob.getByTestId('backroom-seats')).toHaveText('1/10 seats');
  await expect(bob.getByTestId('backroom-buy')).toBeEnabled();

  await send(alice, 'Hi host, just us in here?');
  await host.getByTestId('backroom-enter').click();
  await expect(host.getByTestId('backroom-inside')).toBeVisible();
  await expect(message(host, 'just us in here?')).toBeVisible();
  await host.getByTestId('backroom-members-button').click();
  await expect(host.locator('[data-testid="backroom-member"]', { hasText: aliceName })).toContainText('seat since');
  await shot(host, 'phone-53-backroom-members');
  await host.keyboard.press('Escape');
  await send(host, 'Yes, welcome to the Back Room!');
  await expect(message(alice, 'welcome to the Back Room').first()).toHaveAttribute('data-type', 'host');
  await expect(alice.getByTestId('sticky-host')).toContainText('welcome to the Back Room');
  await shot(alice, 'phone-54-backroom-inside');
  // Bob is not a member: the Back Room's messages are refused to him, and his screen never shows them.
  const refused = await bob.evaluate(async (c) => {
    const res = await fetch(`/api/chats/${c}/backroom/messages`, { headers: { accept: 'application/json' } });
    return { status: res.status, body: await res.json() };
  }, code);
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('BACKROOM_MEMBERS_ONLY');
  await expect(bob.getByTestId('message-list')).not.toContainText('just us in here');
  await expect(bob.getByTestId('backroom-enter')).toHaveCount(0);

  await alice.getByTestId('backroom-leave').click();
  await host.getByTestId('backroom-leave').click();
  await expect(alice.getByTestId('backroom-enter')).toBeVisible();

  // ---- Paid pins: Alice pins her message for $10; Bob outbids with $12.
  await send(alice, 'What is the next drop?');
  await expect(message(alice, 'What is the next drop?')).toHaveAttribute('data-status', 'sent');
  await longPress(alice, message(alice, 'What is the next drop?').getByTestId('message-content'));
  await alice.getByTestId('action-pin').click();
  await expect(alice.getByTestId('pin-dialog')).toBeVisible();
  await expect(alice.getByTestId('pin-amount')).toHaveValue('1');
  await alice.getByTestId('pin-amount').fill('10');
  await expect(alice.getByTestId('pin-amount-help')).toHaveText('Pinned for 10 minutes.');
  await shot(alice, 'phone-55-pin-dialog');
  await alice.getByTestId('pin-submit').click();
  await payOnCheckout(alice, '$10', /pin/i);
  await expect(bob.getByTestId('pin-top')).toContainText('What is the next drop?');
  await expect(bob.getByTestId('pin-top').getByTestId('pin-price')).toHaveText('$10');
  await expect(bob.getByTestId('pin-top').getByTestId('pin-countdown')).toHaveText(/^(10:00|9:[0-5]\d)$/);
  await expect(host.getByTestId('pin-top')).toContainText(aliceName);
  await expect.poll(() => playedSounds(host)).toContain('pin');
  // The pinned message is marked in the stream too, for everyone.
  await expect(message(bob, 'What is the next drop?').getByTestId('pinned-mark')).toBeVisible();

  await bob.getByTestId('composer-input').fill('Drop it tonight please!');
  await bob.getByTestId('money-menu').click();
  await expect(bob.getByTestId('money-pin')).toContainText('$11');
  await bob.getByTestId('money-pin').click();
  await expect(bob.getByTestId('pin-text')).toHaveValue('Drop it tonight please!');
  await expect(bob.getByTestId('pin-amount')).toHaveValue('11');
  await bob.getByTestId('pin-amount').fill('10.50');
  await expect(bob.getByTestId('pin-amount-help')).toHaveText('At least $11 now.');
  await bob.getByTestId('pin-amount').fill('12');
  await bob.getByTestId('pin-submit').click();
  await payOnCheckout(bob, '$12', /pin/i);
  await expect(alice.getByTestId('pin-top')).toContainText('Drop it tonight please!');
  await expect(alice.getByTestId('pin-top').getByTestId('pin-price')).toHaveText('$12');
  // Alice is told her pin lost the top spot.
  await expect(alice.getByTestId('outbid-notice')).toContainText('Your pin was outbid ($12)');
  await expect(bob.getByTestId('outbid-notice')).toHaveCount(0);
  await expect(alice.getByTestId('pins-more')).toHaveText('+1 pinned');
  await shot(alice, 'phone-56-pins-outbid');
  await alice.getByTestId('pins-more').click();
  await expect(alice.getByTestId('pins-popover').getByTestId('pin-listed')).toHaveCount(2);
  await expect(alice.getByTestId('pins-popover').getByTestId('pin-listed').nth(1)).toContainText('What is the next drop?');
  await shot(alice, 'phone-57-pins-popover');
  await alice.keyboard.press('Escape');

  // A stale quote: Alice's form shows $13.20, but Bob's next bid ($14, still being paid) holds that
  // price first, and its announcement has not reached her yet: the server refuses her quote.
  held.pins = true;
  await send(alice, 'And the one after?');
  await expect(message(alice, 'And the one after?')).toHaveAttribute('data-status', 'sent');
  await longPress(alice, message(alice, 'And the one after?').getByTestId('message-content'));
  await alice.getByTestId('action-pin').click();
  await expect(alice.getByTestId('pin-amount')).toHaveValue('13.20');
  const bid = await bob.evaluate(async (c) => {
    const res = await fetch(`/api/chats/${c}/pins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ text: 'Me first!', amountCents: 1400, quotedCents: 1320, idempotencyKey: 'e2e-bob-second-bid' }),
    });
    return res.status;
  }, code);
  expect(bid).toBe(201);
  await alice.getByTestId('pin-submit').click();
  await expect(alice.getByTestId('pin-stale')).toHaveText('Someone pinned first. The price is now $15.40.');
  await expect(alice.getByTestId('pin-amount')).toHaveValue('15.40');
  await shot(alice, 'phone-58-pin-stale-quote');
  held.pins = false;
  // She tries the new price, then declines at checkout: nothing is charged, nothing pinned.
  await alice.getByTestId('pin-submit').click();
  await alice.waitForURL(/\/pay\/[^/]+$/);
  await expect(alice.getByTestId('checkout-amount')).toHaveText('$15.40');
  await alice.getByTestId('checkout-decline').click();
  await expect(alice.getByTestId('checkout-outcome')).toHaveAttribute('data-status', 'failed');
  await expect(alice.getByTestId('checkout-outcome')).toContainText('Nothing was charged');
  await shot(alice, 'phone-59-checkout-declined');
  await alice.getByTestId('checkout-back').click();
  await alice.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await expect(alice.getByTestId('pin-top')).toContainText('Drop it tonight please!');
  await expect(alice.getByTestId('pins-more')).toHaveText('+1 pinned');

  // ---- A $3 tip with a note: everyone sees it highlighted; the host hears it.
  await bob.getByTestId('money-menu').click();
  await bob.getByTestId('money-tip').click();
  await expect(bob.getByTestId('tip-dialog')).toBeVisible();
  await bob.getByTestId('tip-preset-300').click();
  await bob.getByTestId('tip-note').fill('Great show tonight!');
  await shot(bob, 'phone-60-tip-dialog');
  await bob.getByTestId('tip-submit').click();
  await payOnCheckout(bob, '$3', /Tip/, 'phone-61-checkout-tip');
  // Paid without an account, Bob still reaches his receipt from the notice.
  await expect(bob.getByTestId('payment-notice-receipt')).toHaveAttribute('href', /^\/receipts\/[^/]+$/);
  for (const page of [host, alice, bob]) {
    const tipMessage = page.locator('[data-testid="message"][data-type="tip"]', { hasText: 'Great show tonight!' });
    await expect(tipMessage).toBeVisible();
    await expect(tipMessage.getByTestId('paid-label')).toHaveText(/Tip · \$3/);
  }
  await expect.poll(() => playedSounds(host)).toContain('tip');

  // The host changes the Back Room in the settings sheet: everyone's bar follows.
  await host.getByTestId('host-tools-button').click();
  await host.getByTestId('tab-settings').click();
  await host.locator('#settings-seat-price').fill('6');
  await host.locator('#settings-seat-limit').fill('12');
  await host.getByTestId('settings-save').click();
  await expect(host.getByTestId('settings-form')).toContainText('Saved.');
  await host.keyboard.press('Escape');
  await expect(bob.getByTestId('backroom-summary')).toHaveText(/1\/12 seats · \$6/);
  await shot(alice, 'phone-62-tip-seen');
  await expectNoSeriousA11yIssues(alice, 'chat with pins and a tip');

  // ---- Earnings: $5 + $10 + $12 + $3 = $30 gross, 10 % fee; the host refunds the seat.
  const deskCtx = await newContext(browser, 'desktop');
  const desk = await deskCtx.newPage();
  await desk.goto('/login?next=/account/earnings');
  await desk.getByTestId('login-email').fill(hostEmail);
  await desk.getByTestId('login-password').fill(PASSWORD);
  await desk.getByTestId('login-submit').click();
  await desk.waitForURL(/\/account\/earnings$/);
  await expect(desk.getByTestId('earnings-gross')).toHaveText('$30.00');
  await expect(desk.getByTestId('earnings-fee')).toHaveText('$3.00');
  await expect(desk.getByTestId('earnings-net')).toHaveText('$27.00');
  await expect(desk.getByTestId('earnings-payment')).toHaveCount(4);
  await expect(desk.getByTestId('earnings-chat')).toContainText('Money Night');
  await shot(desk, 'desktop-50-earnings');
  await expectNoSeriousA11yIssues(desk, 'earnings');
  // On a phone the per-chat figures stack as cards, nothing clipped.
  await desk.setViewportSize({ width: 390, height: 844 });
  await expect(desk.getByTestId('earnings-chat-card')).toContainText('Money Night');
  await expect(desk.getByTestId('earnings-chat-card')).toContainText('$27.00');
  await expect(desk.getByTestId('earnings-chat')).toBeHidden();
  await shot(desk, 'phone-62-earnings-stacked');
  await desk.setViewportSize({ width: 1280, height: 800 });
  const seat = desk.locator('[data-testid="earnings-payment"][data-purpose="seat"]');
  await expect(seat).toContainText(aliceName);
  await seat.getByTestId('refund-button').click();
  await expect(desk.getByTestId('refund-dialog')).toContainText('Back Room seat is revoked');
  await shot(desk, 'desktop-51-refund-confirm');
  await desk.getByTestId('refund-confirm').click();
  await expect(seat.getByTestId('payment-status')).toHaveText('Refunded');
  await expect(desk.getByTestId('earnings-refunded')).toHaveText('$5.00');
  await shot(desk, 'desktop-52-earnings-refunded');
  // The refund revokes the seat: Alice may buy again, the count is back to 0.
  await expect(alice.getByTestId('backroom-buy')).toBeVisible();
  await expect(bob.getByTestId('backroom-seats')).toHaveText('0/12 seats');

  // The payer's receipts.
  await alice.goto('/receipts');
  await expect(alice.getByTestId('receipt-row')).toHaveCount(3);
  await expect(alice.getByTestId('receipt-row').first()).toContainText(/Refunded|Paid/);
  await shot(alice, 'phone-63-receipts');
  await alice.getByTestId('receipt-row').last().click();
  await expect(alice.getByTestId('receipt')).toBeVisible();
  await shot(alice, 'phone-64-receipt');

  // The host on a phone: Earnings is one tap from the account tabs.
  await host.goto('/account');
  await host.getByTestId('tab-earnings').click();
  await expect(host.getByTestId('earnings-net')).toBeVisible();
  await shot(host, 'phone-65-earnings');
  expect(bobName).not.toBe(aliceName);

  await Promise.all([hostCtx.close(), aliceCtx.close(), bobCtx.close(), deskCtx.close()]);
});
