import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, longPress, message, newContext, registerAccount, send, shot, unique } from './support';

/*
 * The Inbox's message actions, end to end: an @mention raises a badge, a
 * message is pinned at the top for everyone, forwarded to another
 * conversation, deleted for everyone (and its quote says so) and deleted for
 * one person only. Ann is on a phone (touch: long-press opens the actions),
 * Bob on a 1440×900 desktop (the ⋯ button), Cy in the group on another phone.
 */

const WIDE = { width: 1440, height: 900 };

async function person(ctx: BrowserContext, username: string) {
  await registerAccount(ctx, { email: `${username.toLowerCase()}@example.com`, password: 'Passw0rd!', username });
  const me = await ctx.request.get('/api/me');
  return ((await me.json()) as { user: { id: string } }).user.id;
}

/** The last message whose own text (not a quote of it) has `text`. */
const own = (page: Page, text: string) =>
  page.locator('[data-testid="message"]').filter({ has: page.locator('[data-testid="message-content"]', { hasText: text }) }).last();

/** Opens a message's actions: a long-press on touch, the ⋯ button with a mouse. */
async function actionsOf(page: Page, text: string, touch: boolean) {
  const bubble = own(page, text);
  if (touch) await longPress(page, bubble.locator('[data-testid="message-content"]'));
  else {
    await bubble.hover();
    await bubble.getByTestId('message-more').click();
  }
  await expect(page.getByTestId('message-actions')).toBeVisible();
}

test('mention, pin, forward and delete in the Inbox, on a phone and a desktop', async ({ browser }) => {
  test.setTimeout(240_000);
  const annName = unique('Ann');
  const bobName = unique('Bob');
  const cyName = unique('Cy');

  const annCtx = await newContext(browser, 'phone');
  const bobCtx = await newContext(browser, 'desktop');
  const cyCtx = await newContext(browser, 'phone');
  await person(annCtx, annName);
  await person(bobCtx, bobName);
  await person(cyCtx, cyName);

  // Ann has a group with Bob and Cy, and a direct conversation with Bob.
  const created = await annCtx.request.post('/api/conversations/groups', { data: { name: 'Trip crew', usernames: [bobName, cyName] } });
  expect(created.status()).toBe(201);
  const groupId = ((await created.json()) as { conversation: { id: string } }).conversation.id;
  const direct = await annCtx.request.post('/api/conversations/direct', { data: { username: bobName } });
  const directId = ((await direct.json()) as { conversation: { id: string } }).conversation.id;

  const ann = await annCtx.newPage();
  await ann.goto(`/inbox/${groupId}`);
  await expect(ann.getByTestId('conversation-title')).toHaveText('Trip crew');
  const bob = await bobCtx.newPage();
  await bob.setViewportSize(WIDE);
  await bob.goto('/inbox');
  await expect(bob.getByTestId('conversation-row').first()).toBeVisible();

  // ---- @mention with autocomplete: Bob gets a mention badge until he reads it ----
  await ann.getByTestId('composer-input').fill(`Who books the cabin, @${bobName.slice(0, 4)}`);
  await expect(ann.getByTestId('mention-list')).toBeVisible();
  await expect(ann.getByTestId('mention-option')).toHaveText([`@${bobName}`]);
  await shot(ann, 'inbox-actions-phone-01-mention-autocomplete');
  await expectNoSeriousA11yIssues(ann, 'mention autocomplete (phone)');
  await ann.getByTestId('mention-option').click();
  await expect(ann.getByTestId('composer-input')).toHaveValue(`Who books the cabin, @${bobName} `);
  await ann.getByTestId('composer-input').press('End');
  await ann.getByTestId('composer-input').pressSequentially('?');
  await ann.getByTestId('send-button').click();
  await expect(message(ann, 'Who books the cabin')).toHaveAttribute('data-status', 'sent');

  const groupRow = bob.locator(`[data-testid="conversation-row"][data-conversation-id="${groupId}"]`);
  await expect(groupRow.getByTestId('mention-badge')).toBeVisible();
  await expect(bob.getByTestId('inbox-mentions')).toHaveText('1 unread mention');
  await shot(bob, 'inbox-actions-desktop-01-mention-badge');
  await expectNoSeriousA11yIssues(bob, 'Inbox list with a mention (desktop)');
  await groupRow.click();
  await expect(message(bob, 'Who books the cabin').getByTestId('mention')).toHaveAttribute('data-self', 'true');
  await expect(groupRow.getByTestId('mention-badge')).toHaveCount(0);
  await expect(bob.getByTestId('inbox-mentions')).toHaveCount(0);
  // Bob sees his own message's tick agree with who read it (Cy, offline, has nothing yet).
  await send(bob, 'I will, Saturday to Monday');
  await expect(message(ann, 'Saturday to Monday')).toBeVisible();
  await expect(message(bob, 'Saturday to Monday')).toHaveAttribute('data-receipt', 'delivered');
  await expect(bob.getByTestId('read-by')).toHaveText(`Read by ${annName}`);

  // ---- pin: Ann, the group's admin, pins with a long-press; everyone sees it at the top ----
  await send(ann, 'Cabin code is 4512');
  await expect(message(bob, 'Cabin code is 4512')).toBeVisible();
  await actionsOf(ann, 'Cabin code is 4512', true);
  await expect(ann.getByTestId('action-pin-top')).toBeVisible();
  await shot(ann, 'inbox-actions-phone-02-actions-sheet');
  await expectNoSeriousA11yIssues(ann, 'message actions (phone)', '[data-testid="message-actions"]');
  await ann.getByTestId('action-pin-top').click();
  await expect(ann.getByTestId('pinned-message-text')).toHaveText('Cabin code is 4512');
  await expect(bob.getByTestId('pinned-message-text')).toHaveText('Cabin code is 4512');
  await expect(message(bob, `${annName} pinned a message`)).toBeVisible();
  // A member cannot pin in a group whose info only admins edit; the pin shows no Unpin for him.
  await expect(bob.getByTestId('pinned-message-unpin')).toHaveCount(0);
  await actionsOf(bob, 'Cabin code is 4512', false);
  await expect(bob.getByTestId('action-pin-top')).toHaveCount(0);
  await bob.keyboard.press('Escape');
  await expect(bob.getByTestId('message-actions')).toBeHidden();
  await shot(ann, 'inbox-actions-phone-03-pinned');
  await shot(bob, 'inbox-actions-desktop-02-pinned');
  await expectNoSeriousA11yIssues(bob, 'conversation with a pinned message (desktop)');
  await expectNoSeriousA11yIssues(ann, 'conversation with a pinned message (phone)');
  // Tapping the pin shows the message.
  await ann.getByTestId('pinned-message-show').click();
  await expect(message(ann, 'Cabin code is 4512')).toBeInViewport();

  // ---- forward: Ann forwards the code to her direct conversation with Bob ----
  await actionsOf(ann, 'Cabin code is 4512', true);
  await ann.getByTestId('action-forward').click();
  await expect(ann.getByTestId('forward-dialog')).toBeVisible();
  await ann.locator(`[data-testid="forward-target"][data-conversation-id="${directId}"]`).click();
  await expect(ann.getByTestId('forward-count')).toHaveText('1 of 5 chosen.');
  await shot(ann, 'inbox-actions-phone-04-forward');
  await expectNoSeriousA11yIssues(ann, 'forward dialog (phone)', '[data-testid="forward-dialog"]');
  await ann.getByTestId('forward-submit').click();
  await expect(ann.getByTestId('action-notice')).toHaveText('Forwarded to 1 conversation.');
  await bob.goto(`/inbox/${directId}`);
  const copy = own(bob, 'Cabin code is 4512');
  await expect(copy.getByTestId('forwarded-label')).toHaveText('Forwarded');
  await shot(bob, 'inbox-actions-desktop-03-forwarded');

  // ---- delete for everyone: a tombstone for all, the quote and the list say so ----
  await bob.goto(`/inbox/${groupId}`);
  await send(ann, 'Bring 50 dollars each');
  const money = own(bob, 'Bring 50 dollars each');
  await expect(money).toBeVisible();
  await money.hover();
  await money.getByTestId('reply-button').click();
  await send(bob, 'Is that for the boat?');
  await expect(message(ann, 'Is that for the boat?').getByTestId('reply-quote')).toContainText('Bring 50 dollars each');
  await actionsOf(ann, 'Bring 50 dollars each', true);
  await ann.getByTestId('action-delete-choose').click();
  await expect(ann.getByTestId('delete-choices')).toBeVisible();
  await shot(ann, 'inbox-actions-phone-05-delete-choices');
  await expectNoSeriousA11yIssues(ann, 'delete choices (phone)', '[data-testid="message-actions"]');
  await ann.getByTestId('action-delete-for-everyone').click();
  await expect(ann.locator('[data-testid="message"] [data-testid="message-deleted"]')).toHaveCount(1);
  await expect(bob.locator('[data-testid="message"] [data-testid="message-deleted"]')).toHaveText(['This message was deleted.']);
  await expect(message(bob, 'Is that for the boat?').getByTestId('reply-quote-deleted')).toHaveText('Original message was deleted');
  await expect(bob.getByText('Bring 50 dollars each')).toHaveCount(0);
  await expect(bob.locator(`[data-testid="conversation-row"][data-conversation-id="${groupId}"]`).getByTestId('conversation-preview')).toHaveText('You: Is that for the boat?');
  await shot(bob, 'inbox-actions-desktop-04-deleted-for-everyone');
  await shot(ann, 'inbox-actions-phone-06-deleted-for-everyone');
  await expectNoSeriousA11yIssues(bob, 'conversation with a deleted message (desktop)');

  // ---- delete for me: gone for Bob only (also after a reload), still there for Ann ----
  await actionsOf(bob, 'Saturday to Monday', false);
  await bob.getByTestId('action-delete-choose').click();
  await bob.getByTestId('action-delete-for-me').click();
  await expect(bob.getByText('Saturday to Monday')).toHaveCount(0);
  await expect(message(ann, 'Saturday to Monday')).toBeVisible();
  await bob.reload();
  await expect(message(bob, 'Cabin code is 4512')).toBeVisible();
  await expect(bob.getByText('Saturday to Monday')).toHaveCount(0);
  await shot(bob, 'inbox-actions-desktop-05-deleted-for-me');

  // ---- Cy opens the group later: the pin is there, the mention of Bob is not his ----
  const cy = await cyCtx.newPage();
  await cy.goto('/inbox');
  const cyRow = cy.locator(`[data-testid="conversation-row"][data-conversation-id="${groupId}"]`);
  await expect(cyRow.getByTestId('conversation-preview')).toContainText('Is that for the boat?');
  await expect(cyRow.getByTestId('mention-badge')).toHaveCount(0);
  await cyRow.click();
  await expect(cy.getByTestId('pinned-message-text')).toHaveText('Cabin code is 4512');
  // Ann unpins from the banner: gone for everyone.
  await ann.getByTestId('pinned-message-unpin').click();
  await expect(cy.getByTestId('pinned-message')).toHaveCount(0);
  await expect(bob.getByTestId('pinned-message')).toHaveCount(0);
  await shot(cy, 'inbox-actions-phone-07-unpinned');

  await annCtx.close();
  await bobCtx.close();
  await cyCtx.close();
});
