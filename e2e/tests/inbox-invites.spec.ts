import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yIssues, newContext, registerAccount, registerThroughForm, shot, unique } from './support';

/** A one-pixel PNG: the server resizes whatever image it gets. */
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * A group invite link, as people meet it: an admin on a desktop makes one
 * (a week, 5 people) from the group's details and shares it; someone signed
 * out is asked to sign in first; a friend on a phone opens it, sees the group
 * and joins; the admin revokes it and it stops working.
 */
test('an admin shares an invite link and a friend joins the group with it on a phone', async ({ browser }) => {
  test.setTimeout(180_000);
  const annName = unique('Ann');
  const [bobName, cyName] = [unique('Bob'), unique('Cy')];
  const annCtx = await newContext(browser, 'desktop');
  const ann = await annCtx.newPage();
  await registerThroughForm(ann, annName);
  const othersCtx = await newContext(browser, 'desktop');
  for (const name of [bobName, cyName]) await registerAccount(othersCtx, { email: `${name.toLowerCase()}@example.com`, password: 'Passw0rd!', username: name });
  const made = await annCtx.request.post('/api/conversations/groups', { data: { usernames: [bobName, cyName], name: 'Hiking crew', description: 'Saturday walks.' } });
  expect(made.status(), await made.text()).toBe(201);
  const groupId = (await made.json()).conversation.id as string;

  await ann.goto(`/inbox/${groupId}`);
  const panel = ann.getByTestId('conversation-info-panel');
  // A group photo first: any image, resized by the server; the details and the list show it.
  await panel.getByTestId('group-photo-input').setInputFiles({ name: 'hike.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1PX, 'base64') });
  await expect(panel.getByTestId('conversation-avatar').first()).toHaveAttribute('src', /^\/api\/avatars\/.+\.webp$/);
  await expect(ann.getByTestId('conversation-row').getByTestId('conversation-avatar')).toHaveAttribute('src', /\.webp$/);
  await expect(ann.getByTestId('message-list')).toContainText(`${annName} changed the group photo`);
  await expect(panel.getByTestId('invite-links')).toBeVisible();
  await panel.getByTestId('invite-uses').selectOption('5');
  await panel.getByTestId('invite-create').click();
  const link = panel.getByTestId('invite-link').first();
  await expect(link).toContainText('0 of 5 joined');
  const path = (await link.getByTestId('invite-url').textContent())!.trim();
  expect(path).toMatch(/^\/join\/[A-Za-z0-9_-]{24}$/);
  await shot(ann, 'inbox-desktop-30-invite-links');
  await expectNoSeriousA11yIssues(ann, 'invite links', '[data-testid="invite-links"]');

  // Signed out, the link asks to sign in first and keeps the way back.
  const strangerCtx = await newContext(browser, 'phone');
  const stranger = await strangerCtx.newPage();
  await stranger.goto(path);
  await expect(stranger.getByTestId('join-group-sign-in')).toHaveAttribute('href', `/login?next=${encodeURIComponent(path)}`);
  await shot(stranger, 'inbox-phone-30-invite-signed-out');

  // Dee, signed in on a phone, sees the group and joins.
  const deeName = unique('Dee');
  const deeCtx = await newContext(browser, 'phone');
  const dee = await deeCtx.newPage();
  await registerThroughForm(dee, deeName);
  await dee.goto(path);
  await expect(dee.getByTestId('join-group-name')).toHaveText('Hiking crew');
  await expect(dee.getByTestId('join-group-preview')).toContainText('3 members');
  await shot(dee, 'inbox-phone-31-invite-preview');
  await expectNoSeriousA11yIssues(dee, 'invite preview (phone)');
  await dee.getByTestId('join-group-accept').click();
  await dee.waitForURL(new RegExp(`/inbox/${groupId}$`));
  await expect(dee.getByTestId('message-list')).toContainText(`${deeName} joined with an invite link`);
  await shot(dee, 'inbox-phone-32-joined');
  // Ann sees the newcomer, and the link counts the use.
  await expect(ann.getByTestId('message-list')).toContainText(`${deeName} joined with an invite link`);
  await ann.reload();
  await expect(ann.getByTestId('conversation-info-panel').getByTestId('invite-link').first()).toContainText('1 of 5 joined');

  // Revoked, the link stops working for the next person.
  await ann.getByTestId('conversation-info-panel').getByTestId('invite-revoke').first().click();
  await expect(ann.getByTestId('conversation-info-panel').getByTestId('invite-link')).toHaveCount(0);
  const eveCtx = await newContext(browser, 'phone');
  const eve = await eveCtx.newPage();
  await registerThroughForm(eve, unique('Eve'));
  await eve.goto(path);
  await expect(eve.getByTestId('join-group-error')).toContainText('This invite link does not work');
  await shot(eve, 'inbox-phone-33-invite-revoked');

  await Promise.all([annCtx, othersCtx, strangerCtx, deeCtx, eveCtx].map((c) => c.close()));
});
