import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yIssues, message, newContext, registerAccount, send, shot, unique } from './support';

/**
 * Contacts and blocking (issue 11, items 1 and 2): Ann adds Bob, stars him and
 * gives him a nickname; Cy asks Ann to be a contact and she accepts, live; in
 * Ann's pop chat she blocks Bob from the participant sheet and his messages
 * leave her view — those already there and those he sends next — while he
 * notices nothing; she unblocks him from her Contacts page.
 */

const DESKTOP_SIZE = { width: 1440, height: 900 };

test('add a contact, request and accept, block from a pop chat and see the messages go, unblock', async ({ browser }) => {
  // Three people, three browsers and a pop chat: more time than a one-person spec needs.
  test.setTimeout(480_000);
  const annCtx = await newContext(browser, 'phone');
  const bobCtx = await newContext(browser, 'desktop');
  const cyCtx = await newContext(browser, 'desktop');
  const [ann, bob, cy] = [unique('Ann'), unique('Bob'), unique('Cy')];
  for (const [ctx, username] of [[annCtx, ann], [bobCtx, bob], [cyCtx, cy]] as const) {
    await registerAccount(ctx, { email: `${username.toLowerCase()}@example.com`, password: 'Passw0rd!', username });
  }

  // Ann adds Bob, stars him and names him.
  const annPage = await annCtx.newPage();
  await annPage.goto('/contacts');
  await annPage.getByTestId('add-contact-username').fill(bob);
  await annPage.getByTestId('add-contact-submit').click();
  const bobRow = annPage.locator('[data-testid="contact"]', { hasText: bob });
  await expect(bobRow).toBeVisible();
  await bobRow.getByTestId('contact-star').click();
  await expect(bobRow.getByTestId('contact-star')).toHaveAttribute('aria-pressed', 'true');
  await bobRow.getByTestId('contact-menu').click();
  await annPage.getByTestId('contact-nickname').click();
  await annPage.getByTestId('nickname-input').fill('Bobby from work');
  await annPage.getByTestId('nickname-save').click();
  await expect(bobRow).toContainText('Bobby from work');

  // Cy asks Ann; the request reaches her open page without a reload, and she accepts.
  const cyPage = await cyCtx.newPage();
  await cyPage.goto('/contacts');
  await cyPage.getByTestId('add-contact-username').fill(ann);
  await cyPage.getByTestId('send-request').click();
  await expect(cyPage.getByTestId('request-outgoing')).toContainText(ann);
  const incoming = annPage.getByTestId('request-incoming');
  await expect(incoming).toContainText(cy);
  await shot(annPage, 'phone-110-contacts-request');
  await expectNoSeriousA11yIssues(annPage, 'contacts page');
  await incoming.getByTestId('request-accept').click();
  await expect(annPage.locator('[data-testid="contact"]', { hasText: cy })).toBeVisible();
  await expect(cyPage.locator('[data-testid="contact"]', { hasText: ann })).toBeVisible();
  await expect(cyPage.getByTestId('request-outgoing')).toHaveCount(0);

  // Ann's pop chat: Bob joins under his username and speaks.
  await annPage.goto('/create');
  await annPage.getByTestId('chat-name-input').fill('Block night');
  await annPage.getByTestId('create-submit').click();
  await annPage.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  const url = annPage.url();
  const bobPage = await bobCtx.newPage();
  await bobPage.setViewportSize(DESKTOP_SIZE);
  await bobPage.goto(url);
  await bobPage.getByTestId('join-button').click();
  await expect(bobPage.getByTestId('mode-reserved')).toBeVisible();
  await bobPage.getByTestId('join-submit').click();
  await expect(bobPage.getByTestId('composer-input')).toBeVisible();
  await send(bobPage, 'bob says hi before');
  await expect(message(annPage, 'bob says hi before')).toBeVisible();
  await send(annPage, 'ann answers');
  await expect(message(bobPage, 'ann answers')).toBeVisible();

  // Ann blocks Bob from the participant sheet: his message leaves her view at once.
  await annPage.getByTestId('participants-button').click();
  const row = annPage.locator('[data-testid="participant"]', { hasText: bob });
  await row.getByTestId('participant-menu').click();
  await shot(annPage, 'phone-111-participant-menu-block');
  await annPage.getByTestId('participant-block').click();
  // The same confirmation as in the Inbox and on the Contacts page.
  await expect(annPage.getByTestId('block-confirm')).toContainText('their messages, reactions and typing disappear for you');
  await shot(annPage, 'phone-111b-participant-block-confirm');
  await annPage.getByTestId('block-confirm-button').click();
  await expect(annPage.getByTestId('participant-block-notice')).toContainText(`You blocked ${bob}`);
  await expectNoSeriousA11yIssues(annPage, 'participant sheet', '[data-testid="participants-sheet"]');
  await annPage.keyboard.press('Escape');
  await expect(message(annPage, 'bob says hi before')).toHaveCount(0);
  await expect(message(annPage, 'ann answers')).toBeVisible();

  // What Bob sends next never reaches her; he sees nothing different, and Ann still reaches him.
  await send(bobPage, 'bob after the block');
  await expect(message(bobPage, 'bob after the block')).toBeVisible();
  await send(annPage, 'ann still talks');
  await expect(message(bobPage, 'ann still talks')).toBeVisible();
  await expect(message(annPage, 'bob after the block')).toHaveCount(0);
  await shot(annPage, 'phone-112-blocked-messages-gone');
  await shot(bobPage, 'desktop-112-blocked-person-sees-no-difference');

  // A reload reads history: still without Bob.
  await annPage.reload();
  await expect(message(annPage, 'ann still talks')).toBeVisible();
  await expect(message(annPage, 'bob says hi before')).toHaveCount(0);

  // Unblock from the Contacts page, on a desktop this time.
  await annPage.setViewportSize(DESKTOP_SIZE);
  await annPage.goto('/contacts');
  // The page reads three lists before it shows any.
  await expect(annPage.getByTestId('blocked-list')).toBeVisible({ timeout: 30_000 });
  const blockedRow = annPage.locator('[data-testid="blocked-person"]', { hasText: bob });
  await expect(blockedRow).toBeVisible();
  await shot(annPage, 'desktop-113-contacts-blocked');
  await expectNoSeriousA11yIssues(annPage, 'contacts page with a block');
  await blockedRow.getByTestId('unblock').click();
  await expect(annPage.getByTestId('blocked-person')).toHaveCount(0);
  await annPage.goto(url);
  await expect(message(annPage, 'bob after the block')).toBeVisible();

  // In a group Cy made, Ann (not an admin) blocks Bob from his menu in the member list, after a confirmation.
  const made = await cyCtx.request.post('/api/conversations/groups', { data: { name: 'Block group', usernames: [ann, bob] } });
  expect(made.status(), await made.text()).toBe(201);
  const groupId = (await made.json()).conversation.id as string;
  await annPage.goto(`/inbox/${groupId}`);
  const panel = annPage.getByTestId('conversation-info-panel');
  const bobMember = panel.locator(`[data-testid="info-member"][data-username="${bob}"]`);
  await bobMember.getByTestId('member-menu').click();
  await expect(annPage.getByTestId('member-promote')).toHaveCount(0);
  await annPage.getByTestId('member-block').click();
  const confirm = annPage.getByTestId('block-confirm');
  await expect(confirm).toContainText(`Block ${bob}?`);
  await expect(confirm).toContainText('In groups you share, you both stay');
  await shot(annPage, 'desktop-114-group-member-block-confirm');
  await expectNoSeriousA11yIssues(annPage, 'block confirmation', '[data-testid="block-confirm"]');
  await confirm.getByTestId('block-confirm-button').click();
  await expect(confirm).toHaveCount(0);
  const blockedNow = await annCtx.request.get('/api/blocks');
  expect(((await blockedNow.json()).blocked as { username: string }[]).map((b) => b.username)).toEqual([bob]);

  // On a phone, from the details sheet: the same menu now offers to unblock him.
  await annPage.setViewportSize({ width: 390, height: 844 });
  await annPage.getByTestId('conversation-info-button').click();
  const sheet = annPage.getByTestId('conversation-info-sheet');
  await sheet.locator(`[data-testid="info-member"][data-username="${bob}"]`).getByTestId('member-menu').click();
  await expect(annPage.getByTestId('member-unblock')).toBeVisible();
  await shot(annPage, 'phone-115-group-member-unblock');
  await annPage.getByTestId('member-unblock').click();
  await expect.poll(async () => ((await (await annCtx.request.get('/api/blocks')).json()).blocked as unknown[]).length).toBe(0);
  await annPage.keyboard.press('Escape');

  // The privacy setting on the account page.
  await annPage.goto('/account');
  await annPage.getByTestId('privacy-who-can-message').selectOption('contacts');
  await annPage.getByTestId('profile-save').click();
  await expect(annPage.getByTestId('profile-saved')).toBeVisible();
  await annPage.reload();
  await expect(annPage.getByTestId('privacy-who-can-message')).toHaveValue('contacts');

  for (const ctx of [annCtx, bobCtx, cyCtx]) await ctx.close();
});
