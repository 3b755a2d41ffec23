import { expect, test, type BrowserContext } from '@playwright/test';
import { expectNoSeriousA11yIssues, joinWithRolledName, longPress, message, newContext, playedSounds, recordSounds, registerThroughForm, send, shot, unique } from './support';

/**
 * The host's room on phones (issue: sticky host messages, moderation,
 * reactions, themes and sounds): a host moderates a raid from a phone while
 * two participants chat, then a participant switches themes, reacts, and
 * hears (or mutes) the sounds.
 */




async function hostCreatesChat(ctx: BrowserContext, chatName: string) {
  const page = await ctx.newPage();
  const name = unique('Hst');
  await registerThroughForm(page, name);
  await page.goto('/create');
  await page.getByTestId('chat-name-input').fill(chatName);
  await page.getByTestId('create-submit').click();
  await page.waitForURL(/\/chat\/[0-9A-Z]{8}$/);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return { page, name };
}

/** Opens the chat, rolls the dice for a name and joins with it. */
async function joinAs(ctx: BrowserContext, url: string) {
  const page = await ctx.newPage();
  await page.goto(url);
  await page.getByTestId('join-button').click();
  const name = await joinWithRolledName(page);
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return { page, name };
}



test('a host moderates a raid from a phone: delete, time-out, slow mode, blocked terms, a moderator, lockdown, a ban that holds', async ({ browser }) => {
  test.setTimeout(240_000);
  const hostCtx = await newContext(browser, 'phone', { ip: '198.51.100.10' });
  const { page: host } = await hostCreatesChat(hostCtx, 'Launch AMA');
  const url = host.url();
  await send(host, 'Welcome! Questions in the chat, please.');
  await send(host, 'Rules: be kind, no spam.');
  await expect(host.getByTestId('sticky-host-message')).toHaveCount(2);

  const trollCtx = await newContext(browser, 'phone', { ip: '203.0.113.66' });
  const { page: troll, name: trollName } = await joinAs(trollCtx, url);
  const fanCtx = await newContext(browser, 'phone', { ip: '198.51.100.11' });
  const { page: fan, name: fanName } = await joinAs(fanCtx, url);
  await expect(fan.getByTestId('sticky-host')).toContainText('Rules: be kind');

  // The troll spams; the fan reports it; the host sees the report arrive.
  await send(troll, 'BUY FOLLOWERS NOW cheap!!!');
  await expect(message(fan, 'BUY FOLLOWERS')).toBeVisible();
  await longPress(fan, message(fan, 'BUY FOLLOWERS').getByTestId('message-content'));
  await expect(fan.getByTestId('message-actions')).toBeVisible();
  await shot(fan, 'phone-30-message-actions');
  await fan.getByTestId('action-report').click();
  await fan.getByTestId('report-reason-spam').check();
  await fan.getByTestId('report-submit').click();
  await expect(fan.getByTestId('report-sent')).toBeVisible();
  await fan.keyboard.press('Escape');
  await expect(host.getByTestId('host-tools-button')).toHaveAccessibleName(/1 new report/);

  // Long-press → delete: everyone sees the placeholder.
  await longPress(host, message(host, 'BUY FOLLOWERS').getByTestId('message-content'));
  await expect(host.getByTestId('action-ban')).toBeVisible();
  await shot(host, 'phone-31-host-message-actions');
  await host.getByTestId('action-delete').click();
  await expect(message(fan, 'This message was deleted.').getByTestId('message-deleted')).toBeVisible();
  await expect(fan.getByTestId('message-list')).not.toContainText('BUY FOLLOWERS');

  // Long-press → time out for 10 minutes: the troll can read but not send.
  await send(troll, 'you cannot stop me');
  await longPress(host, message(host, 'you cannot stop me').getByTestId('message-content'));
  await host.getByTestId('action-timeout').click();
  await host.getByTestId('timeout-600').click();
  await expect(troll.getByTestId('timed-out')).toBeVisible();
  await expect(troll.getByTestId('composer-input')).toBeHidden();
  await shot(troll, 'phone-32-timed-out');

  // Host tools: a blocked term, then slow mode.
  await host.getByTestId('host-tools-button').click();
  await expect(host.getByTestId('host-tools')).toBeVisible();
  await host.getByTestId('blocked-term-input').fill('scam');
  await host.getByTestId('blocked-term-add').click();
  await expect(host.getByTestId('blocked-terms')).toContainText('scam');
  await host.getByTestId('slow-mode-30').click();
  await expect(host.getByTestId('slow-mode-30')).toHaveAttribute('aria-checked', 'true');
  await shot(host, 'phone-33-host-tools');
  await host.getByTestId('tab-reports').click();
  await expect(host.getByTestId('reports')).toContainText(`reported by ${fanName}`);
  await host.getByTestId('report-dismiss').click();
  await expect(host.getByTestId('reports')).toContainText('No open reports');
  await host.keyboard.press('Escape');

  await send(fan, 'is this a SCAM?');
  await expect(message(fan, 'is this a SCAM?')).toHaveAttribute('data-status', 'failed');
  await expect(message(fan, 'is this a SCAM?').getByTestId('send-error')).toContainText('does not allow');
  await fan.getByTestId('discard-send').click();
  await send(fan, 'Great launch!');
  await expect(message(host, 'Great launch!')).toBeVisible();
  await expect(fan.getByTestId('slow-mode-wait')).toBeVisible();
  await expect(fan.getByTestId('composer-input')).toHaveAttribute('placeholder', /slow mode 30 s/);
  await shot(fan, 'phone-34-slow-mode');

  // The fan becomes a moderator: their own tools appear at once.
  await host.getByTestId('participants-button').click();
  const fanRow = host.locator('[data-testid="participant"]', { hasText: fanName });
  await fanRow.getByTestId('participant-menu').click();
  await host.getByTestId('participant-role').click();
  await expect(fanRow).toHaveAttribute('data-role', 'moderator');
  await shot(host, 'phone-35-participants-moderation');
  await host.keyboard.press('Escape');
  await expect(fan.getByTestId('host-tools-button')).toBeVisible();
  await expect(fan.getByTestId('slow-mode-wait')).toBeHidden();

  // Lockdown in one tap, by the new moderator.
  await fan.getByTestId('host-tools-button').click();
  await fan.getByTestId('lockdown-toggle').click();
  await expect(fan.getByTestId('lockdown-toggle')).toHaveAttribute('aria-pressed', 'true');
  await fan.keyboard.press('Escape');
  await expect(troll.getByTestId('lockdown-banner')).toContainText('Lockdown');
  await shot(troll, 'phone-36-lockdown-banner');

  // The host bans the troll from the participant list; the ban holds on reload and on a fresh name.
  await host.getByTestId('participants-button').click();
  const trollRow = host.locator('[data-testid="participant"]', { hasText: trollName });
  await trollRow.getByTestId('participant-menu').click();
  await host.getByTestId('participant-ban').click();
  // A ban is confirmed first; "also delete their recent messages" is on by default.
  await expect(host.getByTestId('ban-confirm')).toBeVisible();
  await expect(host.getByTestId('ban-delete-recent')).toHaveAttribute('aria-checked', 'true');
  await shot(host, 'phone-36b-ban-confirm');
  await host.getByTestId('ban-confirm-button').click();
  await expect(host.getByTestId('ban-confirm')).toBeHidden();
  await expect(trollRow).toContainText('Banned');
  await host.keyboard.press('Escape');
  await expect(troll.getByTestId('chat-fatal')).toContainText('banned');
  // Their lines went with them, for everyone.
  await expect(fan.getByTestId('message-list')).not.toContainText('you cannot stop me');
  await troll.reload();
  await expect(troll.getByTestId('chat-banned')).toContainText('banned');
  await shot(troll, 'phone-37-banned');
  // A new device on the troll's network, with a new name, is refused too.
  const freshCtx = await newContext(browser, 'phone', { ip: '203.0.113.66' });
  const fresh = await freshCtx.newPage();
  await fresh.goto(url);
  await fresh.getByTestId('join-button').click();
  await joinWithRolledName(fresh);
  await expect(fresh.getByTestId('join-error')).toContainText('banned');
  await shot(fresh, 'phone-38-ban-holds');

  // Every action is in the log.
  await host.getByTestId('host-tools-button').click();
  await host.getByTestId('tab-log').click();
  await expect(host.getByTestId('audit-log')).toContainText(`banned ${trollName}`);
  await expect(host.getByTestId('audit-log')).toContainText('started lockdown');
  await expect(host.getByTestId('audit-log')).toContainText(`timed out ${trollName} for 10 min`);
  await shot(host, 'phone-39-audit-log');
  await host.keyboard.press('Escape');
  await expectNoSeriousA11yIssues(host, 'host phone');

  await Promise.all([hostCtx.close(), trollCtx.close(), fanCtx.close(), freshCtx.close()]);
});

test('a participant switches themes on a phone, reacts, is mentioned, and mutes the sounds', async ({ browser }) => {
  test.setTimeout(180_000);
  const hostCtx = await newContext(browser, 'desktop', { ip: '198.51.100.20' });
  await recordSounds(hostCtx);
  const { page: host } = await hostCreatesChat(hostCtx, 'Theme party');
  const url = host.url();
  await send(host, 'Pick your theme, everyone!');

  const fanCtx = await newContext(browser, 'phone', { ip: '198.51.100.21' });
  await recordSounds(fanCtx);
  const { page: fan, name: fanName } = await joinAs(fanCtx, url);
  await send(fan, 'Hello from my phone');

  // A reaction from the desktop's hover menu, seen on the phone with its count.
  await message(host, 'Hello from my phone').hover();
  await message(host, 'Hello from my phone').getByTestId('message-more').click();
  await expect(host.getByTestId('message-actions')).toBeVisible();
  await shot(host, 'desktop-20-hover-actions');
  await host.getByTestId('react-❤️').click();
  const chip = message(fan, 'Hello from my phone').locator('[data-testid="reaction"][data-emoji="❤️"]');
  await expect(chip).toContainText('1');
  await expect(chip).toHaveAccessibleName(/❤️ 1: .*Hst/);

  // The phone reacts too (its own chip is marked), and the desktop sees a count of 2.
  await chip.click();
  await expect(chip).toHaveAttribute('data-mine', 'true');
  await expect(message(host, 'Hello from my phone').locator('[data-testid="reaction"][data-emoji="❤️"]')).toContainText('2');

  // A mention, picked from the autocomplete: highlighted and a chime, even with the tab in view.
  await host.getByTestId('composer-input').fill(`@${fanName.slice(0, 3)}`);
  await expect(host.getByTestId('mention-option').first()).toHaveText(`@${fanName}`);
  await shot(host, 'desktop-22-mention-autocomplete');
  await host.getByTestId('composer-input').press('Enter');
  await expect(host.getByTestId('composer-input')).toHaveValue(`@${fanName} `);
  await host.getByTestId('composer-input').pressSequentially('thanks for coming!');
  await host.getByTestId('send-button').click();
  await expect(message(fan, 'thanks for coming').locator('[data-testid="mention"][data-self="true"]')).toBeVisible();
  await expect.poll(() => playedSounds(fan)).toContain('mention');

  const themeColor = () => fan.locator('meta[name="theme-color"]').last().getAttribute('content');
  const colors: Record<string, string | null> = {};
  for (const theme of ['purple-dream', 'ocean-blue', 'dark-mode'] as const) {
    await fan.getByTestId('theme-button').click();
    await fan.getByTestId(`theme-option-${theme}`).click();
    await expect(fan.getByTestId('theme-menu')).toBeHidden();
    await expect.poll(themeColor).not.toBeNull();
    colors[theme] = await themeColor();
    await shot(fan, `phone-40-theme-${theme}`);
    // Its sheets follow the theme's light/dark type.
    await longPress(fan, message(fan, 'Pick your theme').getByTestId('message-content'));
    await expect(fan.getByTestId('message-actions')).toBeVisible();
    await shot(fan, `phone-41-sheet-${theme}`);
    const sheetDark = await fan.getByTestId('message-actions').evaluate((el) => el.closest('.dark') !== null);
    expect(sheetDark, theme).toBe(theme === 'dark-mode');
    await fan.keyboard.press('Escape');
    await expect(fan.getByTestId('message-actions')).toBeHidden();
    await expectNoSeriousA11yIssues(fan, `phone ${theme}`);
  }
  expect(new Set(Object.values(colors)).size).toBe(3);
  expect(colors['dark-mode']).toBe('#18181b');

  // Mute: no more chimes, and it is remembered after a reload, like the theme.
  await fan.getByTestId('theme-button').click();
  await fan.getByTestId('sound-toggle').click();
  await expect(fan.getByTestId('sound-toggle')).toHaveAttribute('aria-checked', 'false');
  await fan.keyboard.press('Escape');
  const before = (await playedSounds(fan)).length;
  await send(host, `@${fanName} one more thing`);
  await expect(message(fan, 'one more thing')).toBeVisible();
  expect((await playedSounds(fan)).length).toBe(before);
  await fan.reload();
  await expect(fan.getByTestId('composer-input')).toBeVisible();
  await expect.poll(themeColor).toBe('#18181b');
  await fan.getByTestId('theme-button').click();
  await expect(fan.getByTestId('sound-toggle')).toHaveAttribute('aria-checked', 'false');
  await fan.keyboard.press('Escape');

  // The host's own choice of default: Ocean Blue for newcomers.
  await host.getByTestId('host-tools-button').click();
  await host.getByTestId('tab-settings').click();
  await host.getByTestId('settings-theme').selectOption('ocean-blue');
  await host.getByTestId('settings-save').click();
  await expect(host.getByTestId('settings-form')).toContainText('Saved.');
  await shot(host, 'desktop-21-host-settings');
  const newcomerCtx = await newContext(browser, 'phone', { ip: '198.51.100.22' });
  const newcomer = await newcomerCtx.newPage();
  await newcomer.goto(url);
  await expect(newcomer.getByTestId('chat-name')).toBeVisible();
  await expect.poll(() => newcomer.locator('meta[name="theme-color"]').last().getAttribute('content')).toBe(colors['ocean-blue']);
  await Promise.all([hostCtx.close(), fanCtx.close(), newcomerCtx.close()]);
});
