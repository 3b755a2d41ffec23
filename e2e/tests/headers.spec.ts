import { expect, test, type Page } from '@playwright/test';
import { cspViolations, joinWithRolledName, newContext, registerAccount, send, unique } from './support';

// The web pages' security headers, and that the policy they carry lets the
// whole app work: pages, the API relay, the chat's socket to the API port.

test('every page says: no framing, no sniffing, a content security policy, a referrer policy, and not what it runs on', async ({ request }) => {
  for (const path of ['/', '/login', '/register', '/chat/ABCDEFGH', '/no-such-page']) {
    const res = await request.get(path);
    const headers = res.headers();
    const csp = headers['content-security-policy'] ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/script-src [^;]*https:\/\/js\.stripe\.com/);
    expect(csp).toMatch(/frame-src [^;]*https:\/\/js\.stripe\.com/);
    expect(csp).toMatch(/connect-src [^;]*ws:\/\/\*:\d+/);
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    expect(headers['x-frame-options'], path).toBe('DENY');
    expect(headers['x-powered-by'], path).toBeUndefined();
  }
});

test('the policy blocks nothing the app does: pages, sign-in, a chat with its live socket', async ({ browser }) => {
  const hostCtx = await newContext(browser, 'desktop');
  const hostName = unique('CspHost');
  await registerAccount(hostCtx, { email: `${hostName.toLowerCase()}@example.com`, password: 'Passw0rd!', username: hostName });
  const created = await hostCtx.request.post('/api/chats', { data: { name: 'Policy check' } });
  expect(created.status()).toBe(201);
  const { code } = (await created.json()).chat as { code: string };
  const host = await hostCtx.newPage();
  const pages: Page[] = [host];
  for (const path of ['/', '/account', '/create']) {
    await host.goto(path);
    await host.waitForLoadState('networkidle');
    expect(await cspViolations(host), path).toEqual([]);
  }
  await host.goto(`/chat/${code}`);
  await expect(host.getByTestId('composer-input')).toBeVisible();

  const guestCtx = await newContext(browser, 'phone');
  const guest = await guestCtx.newPage();
  pages.push(guest);
  for (const path of ['/login', '/register', '/forgot-password']) {
    await guest.goto(path);
    await guest.waitForLoadState('networkidle');
    expect(await cspViolations(guest), path).toEqual([]);
  }
  await guest.goto(`/chat/${code}`);
  await guest.getByTestId('join-button').click();
  await joinWithRolledName(guest);
  await expect(guest.getByTestId('composer-input')).toBeVisible();
  // A message each way proves the socket to the API's port is allowed.
  await send(guest, 'hello through the policy');
  await expect(host.locator('[data-testid="message"]', { hasText: 'hello through the policy' })).toBeVisible();
  await send(host, 'and back');
  await expect(guest.locator('[data-testid="message"]', { hasText: 'and back' })).toBeVisible();
  for (const page of pages) expect(await cspViolations(page), page.url()).toEqual([]);
  await Promise.all([hostCtx.close(), guestCtx.close()]);
});
