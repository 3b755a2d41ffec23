import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { expectNoSeriousA11yIssues, joinWithRolledName, newContext, registerAccount, shot, unique } from './support';

/** A photo-like JPEG (a sky over hills) of the given size, with a camera's EXIF. */
async function photo(width: number, height: number, sky: string, hill: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="#ffd27a"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#s)"/>
    <circle cx="${width * 0.7}" cy="${height * 0.35}" r="${Math.min(width, height) * 0.12}" fill="#fff3b0"/>
    <path d="M0 ${height * 0.75} Q ${width * 0.3} ${height * 0.5} ${width * 0.6} ${height * 0.72} T ${width} ${height * 0.65} V ${height} H 0 Z" fill="${hill}"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).withExif({ IFD0: { Make: 'ChatPopCam', Model: 'Phone' } }).toBuffer();
}

async function joinAs(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await expect(page.getByTestId('chat-name')).toBeVisible();
  await page.getByTestId('join-button').click();
  const name = await joinWithRolledName(page);
  await expect(page.getByTestId('join-modal')).toBeHidden();
  await expect(page.getByTestId('composer-input')).toBeVisible();
  return name;
}

test('a participant on a phone sends photos from the file chooser; another on a desktop sees them and opens the viewer', async ({ browser }) => {
  // Three browser contexts, two uploads and four axe runs: more than the default budget on a busy machine.
  test.setTimeout(240_000);
  const hostName = unique('Snap');
  const hostCtx = await newContext(browser, 'desktop');
  await registerAccount(hostCtx, { email: `${hostName.toLowerCase()}@example.com`, password: 'Passw0rd!', username: hostName });
  const created = await hostCtx.request.post('/api/chats', {
    data: { name: 'Sunset walk', settings: { media: { photo: true } } },
    headers: { 'x-chatpop-csrf': '1' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const chatUrl = `/chat/${((await created.json()) as { chat: { code: string } }).chat.code}`;

  const deskCtx = await newContext(browser, 'desktop');
  const desk = await deskCtx.newPage();
  await joinAs(desk, chatUrl);
  const phoneCtx = await newContext(browser, 'phone');
  const phone = await phoneCtx.newPage();
  const phoneName = await joinAs(phone, chatUrl);

  // The phone chooses two photos (an album) through the file chooser.
  const chooser = phone.waitForEvent('filechooser');
  await phone.getByTestId('attach-button').click();
  const files = await chooser;
  expect(files.isMultiple()).toBe(true);
  await files.setFiles([
    { name: 'sunset.jpg', mimeType: 'image/jpeg', buffer: await photo(1200, 900, '#ff7a59', '#2f5d3a') },
    { name: 'IMG_0002.HEIC.jpg', mimeType: 'image/jpeg', buffer: await photo(900, 1200, '#5b8def', '#3d6b2f') },
  ]);
  await expect(phone.getByTestId('attach-item')).toHaveCount(2);
  await expect(phone.locator('[data-testid="attach-item"][data-status="done"]')).toHaveCount(2);
  await shot(phone, 'phone-photos-01-tray');
  await phone.getByTestId('composer-input').fill('Look at this sky');
  await phone.getByTestId('send-button').click();
  await expect(phone.getByTestId('attach-tray')).toBeHidden();

  const sent = phone.locator('[data-testid="message"][data-status="sent"]', { hasText: 'Look at this sky' });
  await expect(sent.getByTestId('photo')).toHaveCount(2);
  await shot(phone, 'phone-photos-02-sent');

  // The desktop participant gets it live: the album's box is its final size from the first frame, then the images load.
  const received = desk.locator('[data-testid="message"]', { hasText: 'Look at this sky' });
  const album = received.getByTestId('photo-album');
  await expect(album).toBeVisible();
  const before = await album.boundingBox();
  await expect(received.locator('[data-testid="photo"][data-loaded]')).toHaveCount(2);
  expect(await album.boundingBox()).toEqual(before);
  await shot(desk, 'desktop-photos-01-received');
  await expectNoSeriousA11yIssues(desk, 'desktop chat with photos');

  // The viewer: opened from the first photo, arrows move through the album, Escape closes it.
  await received.getByTestId('photo-open').first().click();
  const viewer = desk.getByTestId('photo-viewer');
  await expect(viewer).toBeVisible();
  await expect(viewer.getByRole('heading')).toHaveText(`Photo 1 of 2 from ${phoneName}`);
  await expect(viewer.getByTestId('photo-viewer-image')).toBeVisible();
  await desk.keyboard.press('ArrowRight');
  await expect(viewer.getByRole('heading')).toHaveText(`Photo 2 of 2 from ${phoneName}`);
  await expect.poll(() => viewer.getByTestId('photo-viewer-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await shot(desk, 'desktop-photos-02-viewer');
  await expectNoSeriousA11yIssues(desk, 'photo viewer');
  await desk.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expect(received.getByTestId('photo-open').first()).toBeFocused();

  // On the phone, a swipe moves to the next photo.
  await sent.getByTestId('photo-open').first().click();
  const phoneViewer = phone.getByTestId('photo-viewer');
  await expect(phoneViewer.getByRole('heading')).toHaveText(`Photo 1 of 2 from ${phoneName}`);
  const stage = (await phoneViewer.getByTestId('photo-viewer-image').boundingBox())!;
  await phone.mouse.move(stage.x + stage.width * 0.8, stage.y + stage.height / 2);
  await phone.mouse.down();
  await phone.mouse.move(stage.x + stage.width * 0.2, stage.y + stage.height / 2, { steps: 5 });
  await phone.mouse.up();
  await expect(phoneViewer.getByRole('heading')).toHaveText(`Photo 2 of 2 from ${phoneName}`);
  await shot(phone, 'phone-photos-03-viewer');
  await expectNoSeriousA11yIssues(phone, 'phone photo viewer');

  await Promise.all([hostCtx.close(), deskCtx.close(), phoneCtx.close()]);
});
