import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, longPress, message, newContext, registerAccount, registerThroughForm, send, shot, unique } from './support';

/** The row of a conversation in the list, by its name. */
const row = (page: Page, name: string) => page.getByTestId('conversation-row').filter({ has: page.getByTestId('conversation-name').getByText(name, { exact: true }) });

/** Finds a person in the new-conversation dialog and returns their result row. */
async function findPerson(page: Page, query: string, username: string) {
  await page.getByTestId('people-search').fill(query);
  const result = page.locator(`[data-testid="person-result"][data-username="${username}"]`);
  await expect(result).toBeVisible();
  return result;
}

test('two people message each other in the Inbox, phone and desktop, with receipts, and make a group with a third', async ({ browser }) => {
  test.setTimeout(240_000);
  const annName = unique('Ann');
  const bobName = unique('Bob');
  const cyName = unique('Cy');

  // Ann is on a phone, Bob on a desktop; both register through the form.
  const annCtx = await newContext(browser, 'phone');
  const ann = await annCtx.newPage();
  await registerThroughForm(ann, annName);
  const bobCtx = await newContext(browser, 'desktop');
  const bob = await bobCtx.newPage();
  await registerThroughForm(bob, bobName);
  // Cy only needs to exist, with a display name to be found by.
  const cyCtx = await newContext(browser, 'desktop');
  await registerAccount(cyCtx, { email: `${cyName.toLowerCase()}@example.com`, password: 'Passw0rd!', username: cyName });
  expect((await cyCtx.request.patch('/api/me', { data: { displayName: `Cyrus ${cyName}` } })).status()).toBe(200);

  // The header leads to the Inbox; Bob stays on the home page for now.
  await expect(ann.getByTestId('inbox-link')).toBeVisible();
  await shot(ann, 'inbox-phone-00-home');
  await expect(bob.getByTestId('inbox-link')).toBeVisible();
  await expect(bob.getByTestId('inbox-unread-badge')).toHaveCount(0);
  await ann.getByTestId('inbox-link').click();
  await ann.waitForURL(/\/inbox$/);
  await expect(ann.getByTestId('inbox-empty')).toBeVisible();
  await expect(ann.getByTestId('inbox-stat-conversations').getByTestId('inbox-stat-value')).toHaveText('0');
  await shot(ann, 'inbox-phone-01-empty');
  await expectNoSeriousA11yIssues(ann, 'empty Inbox (phone)');

  // Ann finds Bob by part of his username and starts a direct conversation.
  await ann.getByTestId('new-conversation-button').click();
  await expect(ann.getByTestId('new-conversation-dialog')).toBeVisible();
  const bobResult = await findPerson(ann, bobName.slice(0, 5).toLowerCase(), bobName);
  await shot(ann, 'inbox-phone-02-new-conversation');
  await expectNoSeriousA11yIssues(ann, 'new conversation dialog', '[data-testid="new-conversation-dialog"]');
  await bobResult.click();
  await ann.waitForURL(/\/inbox\/[0-9a-f-]{36}$/);
  const directUrl = new URL(ann.url()).pathname;
  await expect(ann.getByTestId('conversation-title')).toHaveText(bobName);
  await expect(ann.getByTestId('empty-chat')).toBeVisible();
  await shot(ann, 'inbox-phone-03-conversation-empty');

  // The first message goes out (✓); Bob's header badge counts it at once.
  await send(ann, `Hi ${bobName}, it's Ann!`);
  const first = message(ann, "it's Ann!");
  await expect(first).toHaveAttribute('data-status', 'sent');
  await expect(bob.getByTestId('inbox-unread-badge')).toHaveText('1');
  await shot(bob, 'inbox-desktop-01-home-unread-badge');

  // Bob opens his Inbox: the conversation is there, unread.
  await bob.getByTestId('inbox-link').click();
  await bob.waitForURL(/\/inbox$/);
  const bobRow = row(bob, annName);
  await expect(bobRow.getByTestId('unread-badge')).toContainText('1');
  await expect(bobRow.getByTestId('conversation-preview')).toHaveText(`Hi ${bobName}, it's Ann!`);
  await expect(bob.getByTestId('inbox-stat-unread').getByTestId('inbox-stat-value')).toHaveText('1');
  await expect(first).toHaveAttribute('data-receipt', 'delivered');
  await shot(bob, 'inbox-desktop-02-list-unread');
  await bob.getByTestId('new-conversation-button').click();
  await findPerson(bob, annName.slice(0, 4), annName);
  await shot(bob, 'inbox-desktop-02b-new-conversation');
  await bob.keyboard.press('Escape');
  await expect(bob.getByTestId('new-conversation-dialog')).toBeHidden();
  await shot(ann, 'inbox-phone-04-delivered');
  await expectNoSeriousA11yIssues(bob, 'Inbox list (desktop)');

  // Bob reads it: Ann sees the coloured ✓✓, Bob's unread goes to zero.
  await bobRow.click();
  await bob.waitForURL(new RegExp(`${directUrl}$`));
  await expect(message(bob, "it's Ann!")).toBeVisible();
  await expect(first).toHaveAttribute('data-receipt', 'read');
  await expect(first.getByTestId('receipt-read')).toBeVisible();
  await expect(bobRow.getByTestId('unread-badge')).toHaveCount(0);
  await expect(bob.getByTestId('inbox-stat-unread').getByTestId('inbox-stat-value')).toHaveText('0');

  // Both ways, live, with typing.
  await bob.getByTestId('composer-input').fill('Hey Ann');
  await expect(ann.getByTestId('typing-line')).toContainText(bobName);
  await bob.getByTestId('send-button').click();
  await expect(message(ann, 'Hey Ann')).toBeVisible();
  await send(ann, 'How are you?');
  await expect(message(bob, 'How are you?')).toBeVisible();
  // Each side has the other's messages open and in focus: all read.
  await expect(message(bob, 'Hey Ann')).toHaveAttribute('data-receipt', 'read');
  await expect(message(ann, 'How are you?')).toHaveAttribute('data-receipt', 'read');
  await expect(bob.getByTestId('conversation-info-panel')).toBeVisible();
  await shot(bob, 'inbox-desktop-03-conversation-with-details');
  await shot(ann, 'inbox-phone-05-conversation-read');
  await expectNoSeriousA11yIssues(bob, 'conversation (desktop)');
  await expectNoSeriousA11yIssues(ann, 'conversation (phone)');

  // Ann fixes her message with a long-press; Bob sees it edited and reads its history.
  await longPress(ann, message(ann, 'How are you?').locator('[data-testid="message-content"]'));
  await ann.getByTestId('action-edit').click();
  await ann.getByTestId('edit-message-input').fill('How are you doing?');
  await shot(ann, 'inbox-phone-05b-edit');
  await ann.getByTestId('edit-message-save').click();
  await expect(message(ann, 'How are you doing?').getByTestId('message-edited')).toBeVisible();
  await expect(message(bob, 'How are you doing?').getByTestId('message-edited')).toBeVisible();
  await message(bob, 'How are you doing?').hover();
  await message(bob, 'How are you doing?').getByTestId('message-more').click();
  await bob.getByTestId('action-history').click();
  await expect(bob.getByTestId('edit-version')).toHaveCount(2);
  await expect(bob.getByTestId('edit-version').last()).toContainText('How are you?');
  await shot(bob, 'inbox-desktop-03b-edit-history');
  await expectNoSeriousA11yIssues(bob, 'edit history', '[data-testid="edit-history-sheet"]');
  await bob.keyboard.press('Escape');
  await expect(bob.getByTestId('edit-history-sheet')).toBeHidden();

  // On the phone the details are a sheet.
  await ann.getByTestId('conversation-info-button').click();
  await expect(ann.getByTestId('conversation-info-sheet')).toBeVisible();
  await expect(ann.getByTestId('conversation-info-sheet').getByTestId('info-member')).toHaveCount(2);
  await shot(ann, 'inbox-phone-06-details-sheet');
  await expectNoSeriousA11yIssues(ann, 'details sheet', '[data-testid="conversation-info-sheet"]');
  await ann.keyboard.press('Escape');
  await expect(ann.getByTestId('conversation-info-sheet')).toBeHidden();

  // Back to the list on the phone: the conversation moved there with its preview.
  await ann.getByTestId('back-to-list').click();
  await ann.waitForURL(/\/inbox$/);
  await expect(row(ann, bobName).getByTestId('conversation-preview')).toHaveText('You: How are you doing?');
  await expect(ann.getByTestId('inbox-stat-conversations').getByTestId('inbox-stat-value')).toHaveText('1');
  await expect(ann.getByTestId('inbox-stat-sent').getByTestId('inbox-stat-value')).toHaveText('2');
  await shot(ann, 'inbox-phone-07-list');
  await expectNoSeriousA11yIssues(ann, 'Inbox list (phone)');

  // Ann makes a group with Bob and Cy, finding Cy by display name.
  await ann.getByTestId('new-conversation-button').click();
  await ann.getByTestId('mode-group').click();
  await ann.getByTestId('group-name-input').fill('Weekend plans');
  await (await findPerson(ann, bobName, bobName)).click();
  await expect(ann.getByTestId('create-group')).toBeDisabled();
  await (await findPerson(ann, 'Cyrus', cyName)).click();
  await expect(ann.getByTestId('group-picked-person')).toHaveCount(2);
  await shot(ann, 'inbox-phone-08-new-group');
  await expectNoSeriousA11yIssues(ann, 'new group dialog', '[data-testid="new-conversation-dialog"]');
  await ann.getByTestId('create-group').click();
  await ann.waitForURL(/\/inbox\/[0-9a-f-]{36}$/);
  await expect(ann.getByTestId('conversation-title')).toHaveText('Weekend plans');
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText(/^3 members/);

  // The group appears in Bob's list at once; he opens it and reads.
  await expect(row(bob, 'Weekend plans')).toBeVisible();
  await send(ann, 'Saturday at the lake?');
  await expect(row(bob, 'Weekend plans').getByTestId('unread-badge')).toContainText('1');
  await expect(row(bob, 'Weekend plans').getByTestId('conversation-preview')).toHaveText(`${annName}: Saturday at the lake?`);
  await row(bob, 'Weekend plans').click();
  await expect(message(bob, 'Saturday at the lake?')).toBeVisible();
  await expect(bob.getByTestId('conversation-info-panel').getByTestId('info-admin')).toHaveCount(1);
  // Cy has not read it: delivered at most, and "Read by Bob" says who has.
  const lake = message(ann, 'Saturday at the lake?');
  await expect(ann.getByTestId('read-by')).toHaveText(`Read by ${bobName}`);
  // ✓✓ beside "Read by Bob" (it reached Bob), not yet coloured (Cy has not read it).
  await expect(lake).toHaveAttribute('data-receipt', 'delivered');
  await shot(ann, 'inbox-phone-09-group-read-by');
  await shot(bob, 'inbox-desktop-04-group');
  await ann.getByTestId('read-by').click();
  await expect(ann.getByTestId('read-by-read')).toContainText(bobName);
  await expect(ann.getByTestId('read-by-sheet')).toContainText(`Cyrus ${cyName}`);
  await shot(ann, 'inbox-phone-10-read-by-sheet');
  await expectNoSeriousA11yIssues(ann, 'read-by sheet', '[data-testid="read-by-sheet"]');
  await ann.keyboard.press('Escape');

  // Cy opens the group too: now everyone has read it.
  const cyPage = await cyCtx.newPage();
  await cyPage.goto('/inbox');
  await row(cyPage, 'Weekend plans').click();
  await expect(message(cyPage, 'Saturday at the lake?')).toBeVisible();
  await expect(lake).toHaveAttribute('data-receipt', 'read');
  await expect(ann.getByTestId('read-by')).toContainText('Read by');

  // Ann, the group's admin, makes Bob an admin too: his details follow.
  await ann.getByTestId('conversation-info-button').click();
  const sheet = ann.getByTestId('conversation-info-sheet');
  await sheet.locator(`[data-testid="info-member"][data-username="${bobName}"]`).getByTestId('member-menu').click();
  await ann.getByTestId('member-promote').click();
  await expect(sheet.getByTestId('info-admin')).toHaveCount(2);
  await shot(ann, 'inbox-phone-11-group-details');
  await expectNoSeriousA11yIssues(ann, 'group details sheet', '[data-testid="conversation-info-sheet"]');
  await ann.keyboard.press('Escape');
  await expect(bob.getByTestId('conversation-info-panel').getByTestId('info-admin')).toHaveCount(2);
  await expect(message(bob, 'made')).toContainText(`${annName} made ${bobName} an admin`);

  // A deep link opens the conversation straight away, after a reload too.
  await bob.goto(directUrl);
  await expect(bob.getByTestId('conversation-title')).toHaveText(annName);
  await expect(message(bob, 'How are you doing?')).toBeVisible();
  await shot(bob, 'inbox-desktop-05-deep-link');

  // Another theme, as in pop chats.
  await bob.getByTestId('info-theme-dark-mode').click();
  await expect(bob.locator('.theme-dark-mode').first()).toBeVisible();
  await shot(bob, 'inbox-desktop-06-dark');
  await expectNoSeriousA11yIssues(bob, 'conversation (desktop, dark)');

  await annCtx.close();
  await bobCtx.close();
  await cyCtx.close();
});
