import { expect, test, type BrowserContext } from '@playwright/test';
import { expectNoSeriousA11yIssues, message, newContext, registerAccount, send, shot, unique } from './support';

const WIDE = { width: 1440, height: 900 };

async function api(ctx: BrowserContext, path: string, data: unknown = {}) {
  const res = await ctx.request.post(path, { data });
  expect(res.status(), `POST ${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

test('a mention raises the bell; the list leads to the message; mark all read clears it; push says it is off', async ({ browser }) => {
  test.setTimeout(240_000);
  const annName = unique('Ann');
  const bobName = unique('Bob');
  const cyName = unique('Cy');
  const annCtx = await newContext(browser, 'desktop');
  const bobCtx = await newContext(browser, 'phone');
  const cyCtx = await newContext(browser, 'desktop');
  for (const [ctx, name] of [
    [annCtx, annName],
    [bobCtx, bobName],
    [cyCtx, cyName],
  ] as const) {
    await registerAccount(ctx, { email: `${name.toLowerCase()}@example.com`, password: 'Passw0rd!', username: name });
  }

  // Bob on his phone and Cy on a desktop are on the home page, signed in: the bells are quiet.
  const bob = await bobCtx.newPage();
  await bob.goto('/');
  await expect(bob.getByTestId('notification-bell')).toBeVisible();
  await expect(bob.getByTestId('notification-badge')).toHaveCount(0);
  // The phone's header holds the bell and still fits: nothing runs off its right edge.
  await expect(bob.getByTestId('sign-out')).toBeInViewport({ ratio: 1 });
  const cy = await cyCtx.newPage();
  await cy.setViewportSize(WIDE);
  await cy.goto('/');
  await expect(cy.getByTestId('notification-bell')).toBeVisible();

  // Ann makes a group with both: each is told they were added.
  const groupId = (await api(annCtx, '/api/conversations/groups', { name: 'Film night', usernames: [bobName, cyName] })).conversation.id as string;
  await expect(bob.getByTestId('notification-badge')).toHaveText('1');
  await expect(bob).toHaveTitle(/^\(1\) /);

  // Ann mentions Bob and Cy in the group, from the Inbox.
  const ann = await annCtx.newPage();
  await ann.setViewportSize(WIDE);
  await ann.goto(`/inbox/${groupId}`);
  await send(ann, `@${bobName} @${cyName} which film on Friday?`);
  await expect(message(ann, 'which film on Friday?')).toBeVisible();
  await expect(bob.getByTestId('notification-badge')).toHaveText('2');
  await expect(bob).toHaveTitle(/^\(2\) /);
  await expect(bob.getByTestId('notification-bell')).toHaveAccessibleName('Notifications, 2 unread');

  // Bob opens the bell on his phone: the mention on top, then the group.
  await bob.getByTestId('notification-bell').click();
  const items = bob.getByTestId('notification-item');
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText(`${annName} mentioned you in Film night`);
  await expect(items.first()).toContainText('which film on Friday?');
  await expect(items.nth(1)).toContainText(`${annName} added you to Film night`);
  await shot(bob, 'notifications-phone-01-bell-open');
  await expectNoSeriousA11yIssues(bob, 'the open bell on a phone');

  // Following the mention opens the conversation at the message and marks it read; reading the conversation reads
  // what else points into it ("added you to Film night"), so the bell goes quiet.
  await items.first().click();
  await bob.waitForURL(new RegExp(`/inbox/${groupId}\\?at=\\d+$`));
  // Opening a conversation on a phone takes its connection and history: allow a loaded machine its time.
  await expect(message(bob, 'which film on Friday?')).toBeVisible({ timeout: 30_000 });
  await expect(bob.getByTestId('notification-badge')).toHaveCount(0);
  await expect(bob).not.toHaveTitle(/^\(\d+\) /);
  await shot(bob, 'notifications-phone-02-followed');

  // Cy, on a desktop, reads everything at once: the badge and the title's count go.
  await expect(cy.getByTestId('notification-badge')).toHaveText('2');
  await cy.getByTestId('notification-bell').click();
  await expect(cy.getByTestId('notification-item')).toHaveCount(2);
  await shot(cy, 'notifications-desktop-01-bell-open');
  await expectNoSeriousA11yIssues(cy, 'the open bell on a desktop');
  await cy.getByTestId('notifications-mark-all').click();
  await expect(cy.getByTestId('notification-badge')).toHaveCount(0);
  await expect(cy.locator('[data-testid="notification-item"][data-read="false"]')).toHaveCount(0);
  await expect(cy).not.toHaveTitle(/^\(\d+\) /);
  await cy.keyboard.press('Escape');

  // Without VAPID keys the account page says push is off.
  await cy.goto('/account');
  await expect(cy.getByTestId('push-off')).toContainText('Push notifications are off on this server', { timeout: 30_000 });
  await cy.getByTestId('push-section').scrollIntoViewIfNeeded();
  await shot(cy, 'notifications-desktop-02-account-push-off');
  await expectNoSeriousA11yIssues(cy, 'the account page with the push section');

  for (const ctx of [annCtx, bobCtx, cyCtx]) await ctx.close();
});
