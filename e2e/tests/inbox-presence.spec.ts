import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoSeriousA11yIssues, message, newContext, playedSounds, recordSounds, registerAccount, registerThroughForm, send, shot, unique } from './support';

/** The row of a conversation in a list, by its name. */
const row = (page: Page, name: string) => page.getByTestId('conversation-row').filter({ has: page.getByTestId('conversation-name').getByText(name, { exact: true }) });

const WIDE = { width: 1440, height: 900 };

async function api(ctx: BrowserContext, method: 'post' | 'patch', path: string, data: unknown = {}) {
  const res = await ctx.request[method](path, { data });
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

test('presence, last seen, typing words, mute, pin and archive in the Inbox, on a phone and a desktop', async ({ browser }) => {
  test.setTimeout(300_000);
  const annName = unique('Ann');
  const bobName = unique('Bob');
  const cyName = unique('Cy');

  // Ann on a phone, Bob on a wide desktop, both through the form; Cy through the API.
  const annCtx = await newContext(browser, 'phone');
  const ann = await annCtx.newPage();
  await registerThroughForm(ann, annName);
  const bobCtx = await newContext(browser, 'desktop');
  await recordSounds(bobCtx);
  const bob = await bobCtx.newPage();
  await bob.setViewportSize(WIDE);
  await registerThroughForm(bob, bobName);
  const cyCtx = await newContext(browser, 'desktop');
  await registerAccount(cyCtx, { email: `${cyName.toLowerCase()}@example.com`, password: 'Passw0rd!', username: cyName });

  // Ann starts a conversation with Bob and a group with Bob and Cy.
  const direct = (await api(annCtx, 'post', '/api/conversations/direct', { username: bobName })).conversation.id as string;
  const groupId = (await api(annCtx, 'post', '/api/conversations/groups', { name: 'Book club', usernames: [bobName, cyName] })).conversation.id as string;

  // Both open the Inbox: each sees the other online, as a dot in the list and in words in the header.
  await bob.goto('/inbox');
  await ann.goto('/inbox');
  await expect(row(bob, annName).getByTestId('presence-dot')).toHaveAttribute('data-status', 'online');
  await expect(row(ann, bobName).getByTestId('presence-dot')).toHaveAttribute('data-status', 'online');
  await expect(row(ann, 'Book club').getByTestId('presence-dot')).toHaveCount(0);
  await shot(ann, 'inbox-presence-phone-01-list-online');

  await row(bob, annName).click();
  await bob.waitForURL(new RegExp(`/inbox/${direct}$`));
  await expect(bob.getByTestId('conversation-subtitle')).toHaveText('online');
  await expect(bob.getByTestId('conversation-info-panel').getByTestId('info-presence')).toHaveText('online');

  // Typing: Ann types on her phone; Bob's header says so, and so does his list beside it.
  await row(ann, bobName).click();
  await ann.waitForURL(new RegExp(`/inbox/${direct}$`));
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText('online');
  await ann.getByTestId('composer-input').fill('Are you coming tonight');
  await expect(bob.getByTestId('conversation-subtitle')).toHaveText('typing…');
  await expect(row(bob, annName).getByTestId('conversation-typing')).toHaveText(`${annName} is typing…`);
  await expect(bob.getByTestId('typing-line')).toHaveText(`${annName} is typing…`);
  await shot(bob, 'inbox-presence-desktop-01-typing');
  await ann.getByTestId('send-button').click();
  await expect(message(bob, 'Are you coming tonight')).toBeVisible();
  await expect(bob.getByTestId('conversation-subtitle')).toHaveText('online');
  await expect(row(bob, annName).getByTestId('conversation-typing')).toHaveCount(0);

  // Two people type in the group: Bob's list puts both names into words.
  const cy = await cyCtx.newPage();
  await cy.goto(`/inbox/${groupId}`);
  await ann.goto(`/inbox/${groupId}`);
  await expect(cy.getByTestId('composer-input')).toBeVisible();
  await expect(ann.getByTestId('composer-input')).toBeVisible();
  await ann.getByTestId('composer-input').fill('I have finished the book');
  await cy.getByTestId('composer-input').fill('Me too');
  await expect(row(bob, 'Book club').getByTestId('conversation-typing')).toHaveText(
    new RegExp(`^(${annName} and ${cyName}|${cyName} and ${annName}) are typing…$`),
  );
  await shot(bob, 'inbox-presence-desktop-02-two-typing');
  await ann.getByTestId('composer-input').fill('');
  await cy.getByTestId('composer-input').fill('');
  await expect(row(bob, 'Book club').getByTestId('conversation-typing')).toHaveCount(0);
  // The group's header counts who is online, and its members say how each is.
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText('3 members, 2 online');
  await ann.goto(`/inbox/${direct}`);

  // Bob chooses Away, then Busy, from the status menu: Ann's header follows.
  await bob.getByTestId('my-status-button').click();
  await expect(bob.getByTestId('my-status-menu')).toBeVisible();
  await shot(bob, 'inbox-presence-desktop-03-status-menu');
  await expectNoSeriousA11yIssues(bob, 'status menu', '[data-testid="my-status-menu"]');
  await bob.getByTestId('my-status-away').click();
  await expect(bob.getByTestId('my-status-button')).toHaveAttribute('data-status', 'away');
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText('away');
  await bob.getByTestId('my-status-button').click();
  await bob.getByTestId('my-status-busy').click();
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText('busy');

  // "Appear offline": offline to Ann with a last seen of that moment, though Bob is still here.
  await bob.getByTestId('my-status-button').click();
  await bob.getByTestId('my-status-offline').click();
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText('last seen just now');
  await ann.getByTestId('back-to-list').click();
  await expect(row(ann, bobName).getByTestId('presence-dot')).toHaveCount(0);
  await shot(ann, 'inbox-presence-phone-02-bob-appears-offline');
  await bob.getByTestId('my-status-button').click();
  await bob.getByTestId('my-status-online').click();
  await expect(row(ann, bobName).getByTestId('presence-dot')).toHaveAttribute('data-status', 'online');

  // Mute: from the header's menu; the row shows it, the totals leave it out, and a mention makes no sound.
  await bob.getByTestId('conversation-menu-button').click();
  await expect(bob.getByTestId('conversation-menu')).toBeVisible();
  await shot(bob, 'inbox-presence-desktop-04-conversation-menu');
  await expectNoSeriousA11yIssues(bob, 'conversation menu', '[data-testid="conversation-menu"]');
  await bob.getByTestId('menu-mute-8h').click();
  await expect(row(bob, annName).getByTestId('muted-mark')).toBeVisible();
  await expect(bob.getByTestId('conversation-info-panel').getByTestId('info-muted')).toContainText('Muted until');
  await row(ann, bobName).click();
  await send(ann, `@${bobName} did you see this?`);
  await expect(message(bob, 'did you see this?')).toBeVisible();
  expect(await playedSounds(bob)).not.toContain('mention');
  // Away from the conversation, Bob gets a grey count on its row and none in his totals.
  await bob.goto('/inbox');
  await expect(row(bob, annName).getByTestId('unread-badge')).toHaveCount(0); // read while it was open
  await send(ann, 'Still there?');
  await expect(row(bob, annName).getByTestId('unread-badge')).toHaveText(/1/);
  await expect(bob.getByTestId('inbox-stat-unread').getByTestId('inbox-stat-value')).toHaveText('0');
  await shot(bob, 'inbox-presence-desktop-05-muted-unread');
  await row(bob, annName).click();
  await bob.getByTestId('info-unmute').click();
  await expect(row(bob, annName).getByTestId('muted-mark')).toHaveCount(0);
  await send(ann, `@${bobName} now?`);
  await expect.poll(() => playedSounds(bob)).toContain('mention');

  // Pin: the group goes to the top though the direct conversation is newer.
  await bob.goto(`/inbox/${groupId}`);
  await bob.getByTestId('info-pin').click();
  await expect(bob.getByTestId('conversation-row').first()).toHaveAttribute('data-conversation-id', groupId);
  await expect(row(bob, 'Book club').getByLabel('Pinned')).toBeVisible();
  await send(ann, 'Newest message');
  await expect(row(bob, annName).getByTestId('conversation-preview')).toHaveText('Newest message');
  await expect(bob.getByTestId('conversation-row').first()).toHaveAttribute('data-conversation-id', groupId);
  await shot(bob, 'inbox-presence-desktop-06-pinned-with-details');
  await expectNoSeriousA11yIssues(bob, 'group with details and settings (desktop)');

  // Archive on the phone: Ann archives Bob from the header menu; the list offers "Archived".
  await ann.getByTestId('conversation-menu-button').click();
  await expect(ann.getByTestId('conversation-menu')).toBeVisible();
  await shot(ann, 'inbox-presence-phone-03-conversation-menu');
  await expectNoSeriousA11yIssues(ann, 'conversation menu (phone)', '[data-testid="conversation-menu"]');
  await ann.getByTestId('menu-archive').click();
  await ann.getByTestId('back-to-list').click();
  await expect(row(ann, bobName)).toHaveCount(0);
  await expect(ann.getByTestId('archived-count')).toHaveText('1');
  await shot(ann, 'inbox-presence-phone-04-list-with-archive');
  await ann.getByTestId('open-archive').click();
  await expect(ann.getByTestId('archive-list').getByTestId('conversation-row')).toHaveCount(1);
  await shot(ann, 'inbox-presence-phone-05-archive');
  await expectNoSeriousA11yIssues(ann, 'archive (phone)');

  // A new message brings it back, live.
  await bob.goto(`/inbox/${direct}`);
  await send(bob, 'Back to the top!');
  await expect(ann.getByTestId('archive-empty')).toBeVisible();
  await ann.getByTestId('close-archive').click();
  await expect(row(ann, bobName).getByTestId('conversation-preview')).toHaveText('Back to the top!');
  await expect(ann.getByTestId('open-archive')).toHaveCount(0);

  // Muted and archived, it stays in the archive when a message comes.
  await row(ann, bobName).click();
  await ann.getByTestId('conversation-info-button').click();
  await ann.getByTestId('conversation-info-sheet').getByTestId('info-mute-always').click();
  await expect(ann.getByTestId('conversation-info-sheet').getByTestId('info-muted')).toHaveText('Muted');
  await shot(ann, 'inbox-presence-phone-06-details-muted');
  await expectNoSeriousA11yIssues(ann, 'details sheet with settings', '[data-testid="conversation-info-sheet"]');
  await ann.getByTestId('conversation-info-sheet').getByTestId('info-archive').click();
  await ann.keyboard.press('Escape');
  await ann.getByTestId('back-to-list').click();
  await expect(row(ann, bobName)).toHaveCount(0);
  await send(bob, 'Quiet one');
  await ann.getByTestId('open-archive').click();
  await expect(row(ann, bobName).getByTestId('conversation-preview')).toHaveText('Quiet one');
  await expect(row(ann, bobName).getByTestId('muted-mark')).toBeVisible();
  await ann.getByTestId('close-archive').click();

  // Bob leaves: Ann's list loses his dot and his details say when he was last seen.
  await bob.close();
  await ann.getByTestId('open-archive').click();
  await expect(row(ann, bobName).getByTestId('presence-dot')).toHaveCount(0);
  await row(ann, bobName).click();
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText(/^last seen (just now|1 min ago)$/);
  await shot(ann, 'inbox-presence-phone-07-last-seen');
  // Ann hides her last seen: she no longer sees Bob's either.
  await api(annCtx, 'patch', '/api/me', { privacy: { hideLastSeen: true } });
  await expect(ann.getByTestId('conversation-subtitle')).toHaveText('offline');

  await annCtx.close();
  await bobCtx.close();
  await cyCtx.close();
});
