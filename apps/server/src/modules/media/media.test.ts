import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Attachment, Message, MediaKeyResult } from '@chatpop/protocol';
import {
  call,
  collect,
  connectAccountSocket,
  connectSocket,
  guestJoins,
  hostWithChat,
  inboxPerson,
  until,
  type ClientSocket,
  type HttpClient,
  type InboxPerson,
  type TestApp,
  startApp,
} from '../../../test/harness';
import { MediaKeys } from './keys';
import { storageKey, sweepMedia } from './service';

let t: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  // Unsent uploads are swept a second after upload; the sweep itself is called by the tests.
  t = await startApp({ env: { MEDIA_UNSENT_TTL_MS: '1000', MEDIA_SWEEP_MS: '3600000' } });
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.destroy();
});

/** A 300×200 JPEG taken "sideways" (EXIF orientation 6: shown turned 90°) with a camera model and a GPS position. */
async function phonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 60, b: 90 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'ChatPopCam', Model: 'Test Phone' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

async function joined(roomId: string, token: string) {
  const s = await connectSocket(t.url, [token]);
  sockets.push(s);
  const res = await call(s, 'room:join', { roomId, afterSeq: 0 });
  if (!res.ok) throw new Error(`join refused: ${res.error.code}`);
  return s;
}

async function mediaKey(s: ClientSocket, roomId: string): Promise<string> {
  const res = await call<MediaKeyResult>(s, 'media:key', { roomId });
  if (!res.ok) throw new Error(`media key refused: ${res.error.code}`);
  return res.key;
}

function upload(client: HttpClient, key: string | null, body: Buffer | Uint8Array, headers: Record<string, string> = {}) {
  return client.request<{ attachment: Attachment }>('POST', '/api/media', body, {
    'content-type': 'image/jpeg',
    'x-chatpop-csrf': '1',
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...headers,
  });
}

async function uploaded(client: HttpClient, key: string, body?: Buffer): Promise<Attachment> {
  const res = await upload(client, key, body ?? (await phonePhoto()));
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.attachment;
}

const send = (s: ClientSocket, roomId: string, content: string, attachmentIds: string[]) =>
  call<{ message: Message }>(s, 'message:send', { roomId, clientId: `c${crypto.randomUUID().replaceAll('-', '')}`, content, attachmentIds });

async function fetchMedia(id: string, variant = 'display', key?: string) {
  const res = await fetch(`${t.url}/api/media/${id}/${variant}${key ? `?key=${encodeURIComponent(key)}` : ''}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) };
}

/** A pop chat with photos on (or as given), two participants connected, each with a media key. */
async function popChat(settings: Record<string, unknown> = { media: { photo: true } }, access: 'public' | 'private' = 'public') {
  const host = await hostWithChat(t, { settings, access });
  const { code, roomId } = host.chat;
  const visitor = async () => {
    const client = t.client();
    if (host.chat.accessCode) await client.post(`/api/chats/${code}/access`, { accessCode: host.chat.accessCode });
    return guestJoins(t, code, client);
  };
  const alice = await visitor();
  const bob = await visitor();
  const [as, bs] = [await joined(roomId, alice.token), await joined(roomId, bob.token)];
  return {
    code,
    roomId,
    host,
    alice: { ...alice, socket: as, key: await mediaKey(as, roomId) },
    bob: { ...bob, socket: bs, key: await mediaKey(bs, roomId) },
    settings: (s: Record<string, unknown>) => host.client.patch(`/api/chats/${code}`, { settings: s }),
    moderate: (id: string, body: Record<string, unknown>) => host.client.post(`/api/chats/${code}/members/${id}/moderate`, body),
  };
}

describe('photos in a pop chat', () => {
  it('a photo is uploaded, sent as a message, delivered live and in history, and served without its metadata', async () => {
    const r = await popChat();
    const original = await phonePhoto();
    const before = await sharp(original).metadata();
    expect(before).toMatchObject({ orientation: 6, width: 300, height: 200 });
    expect(before.exif).toBeDefined();
    expect(original.includes(Buffer.from('ChatPopCam'))).toBe(true);
    const photo = await uploaded(r.alice.client, r.alice.key, original);
    // Turned upright: the sideways 300×200 is shown 200×300.
    expect(photo).toMatchObject({ kind: 'photo', mime: 'image/webp', width: 200, height: 300 });
    expect(Buffer.from(photo.placeholder, 'base64').length).toBeGreaterThan(5);

    const heard = collect<Message>(r.bob.socket, 'message:new');
    const sent = await send(r.alice.socket, r.roomId, '', [photo.id]);
    expect(sent.ok && sent.message.attachments).toEqual([photo]);
    await until(() => heard.some((m) => m.attachments?.[0]?.id === photo.id), 5000, 'the photo message reaching Bob');

    const history = await t.client().get<{ messages: Message[] }>(`/api/chats/${r.code}/messages`);
    expect(history.body.messages.find((m) => m.attachments?.length)?.attachments).toEqual([photo]);

    // A public chat's photo is as public as its messages: no key, cacheable.
    const served = await fetchMedia(photo.id);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    const meta = await sharp(served.body).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 200, height: 300 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(served.body.includes(Buffer.from('ChatPopCam'))).toBe(false);
    const thumb = await fetchMedia(photo.id, 'thumb');
    expect(thumb.status).toBe(200);
    expect((await sharp(thumb.body).metadata()).exif).toBeUndefined();
  });

  it('an album carries up to ten photos in order; an eleventh is refused', async () => {
    const r = await popChat();
    const photos: Attachment[] = [];
    for (let i = 0; i < 3; i++) photos.push(await uploaded(r.alice.client, r.alice.key));
    const sent = await send(r.alice.socket, r.roomId, 'three at once', photos.map((p) => p.id));
    expect(sent.ok && sent.message.attachments?.map((a) => a.id)).toEqual(photos.map((p) => p.id));
    const ids = Array.from({ length: 11 }, () => crypto.randomUUID());
    expect(await send(r.alice.socket, r.roomId, '', ids)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('an upload is sent once, by its uploader, in its room; a resend of the message returns it unchanged', async () => {
    const r = await popChat();
    const photo = await uploaded(r.alice.client, r.alice.key);
    expect(await send(r.bob.socket, r.roomId, '', [photo.id])).toMatchObject({ ok: false, error: { code: 'ATTACHMENT_NOT_FOUND' } });
    // Not sent yet: nobody can fetch it.
    expect((await fetchMedia(photo.id)).json()).toMatchObject({ error: { code: 'MEDIA_NOT_FOUND' } });
    const clientId = `c${crypto.randomUUID().replaceAll('-', '')}`;
    const first = await call<{ message: Message }>(r.alice.socket, 'message:send', { roomId: r.roomId, clientId, content: '', attachmentIds: [photo.id] });
    const again = await call<{ message: Message }>(r.alice.socket, 'message:send', { roomId: r.roomId, clientId, content: '', attachmentIds: [photo.id] });
    expect(first.ok && again.ok && again.message.id === first.message.id).toBe(true);
    expect(await send(r.alice.socket, r.roomId, 'again', [photo.id])).toMatchObject({ ok: false, error: { code: 'ATTACHMENT_NOT_FOUND' } });
    const other = await popChat();
    const elsewhere = await uploaded(other.alice.client, other.alice.key);
    expect(await send(r.alice.socket, r.roomId, '', [elsewhere.id])).toMatchObject({ ok: false, error: { code: 'ATTACHMENT_NOT_FOUND' } });
  });

  it("the host's Photos switch is enforced: off refuses uploads and sends with a stable code, also of a photo uploaded before", async () => {
    const off = await popChat({ media: { photo: false } });
    const refused = await upload(off.alice.client, off.alice.key, await phonePhoto());
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'PHOTOS_OFF', message: expect.any(String) } });

    const r = await popChat();
    const photo = await uploaded(r.alice.client, r.alice.key);
    expect((await r.settings({ media: { photo: false } })).status).toBe(200);
    await until(async () => (await upload(r.alice.client, r.alice.key, await phonePhoto())).status === 403, 5000, 'the switch reaching uploads');
    expect(await send(r.alice.socket, r.roomId, '', [photo.id])).toMatchObject({ ok: false, error: { code: 'PHOTOS_OFF' } });
    // Text still goes.
    expect((await send(r.alice.socket, r.roomId, 'words only', [])).ok).toBe(true);
  });

  it('lockdown turns photos off for participants; a time-out and a ban refuse them as they refuse messages', async () => {
    const r = await popChat();
    await r.settings({ lockdown: { active: true, newcomerMinutes: 0 } });
    await until(async () => (await upload(r.alice.client, r.alice.key, await phonePhoto())).status === 403, 5000, 'lockdown reaching uploads');
    expect((await upload(r.alice.client, r.alice.key, await phonePhoto())).body).toMatchObject({ error: { code: 'PHOTOS_OFF' } });
    await r.settings({ lockdown: { active: false } });
    await until(async () => (await upload(r.alice.client, r.alice.key, await phonePhoto())).status === 201, 5000, 'lockdown ending');

    expect((await r.moderate(r.alice.member.id, { action: 'timeout', seconds: 600 })).status).toBe(200);
    expect((await upload(r.alice.client, r.alice.key, await phonePhoto())).body).toMatchObject({ error: { code: 'TIMED_OUT' } });

    const photo = await uploaded(r.bob.client, r.bob.key);
    const sent = await send(r.bob.socket, r.roomId, '', [photo.id]);
    expect(sent.ok).toBe(true);
    expect((await r.moderate(r.bob.member.id, { action: 'ban' })).status).toBe(200);
    expect((await upload(r.bob.client, r.bob.key, await phonePhoto())).body).toMatchObject({ error: { code: 'BANNED' } });
  });

  it('a deleted message’s photo is no longer served, and the sweep removes its files and unsent uploads', async () => {
    const r = await popChat();
    const photo = await uploaded(r.alice.client, r.alice.key);
    const unsent = await uploaded(r.alice.client, r.alice.key);
    const sent = await send(r.alice.socket, r.roomId, 'soon gone', [photo.id]);
    if (!sent.ok) throw new Error('send failed');
    expect((await fetchMedia(photo.id)).status).toBe(200);
    expect((await call(r.alice.socket, 'message:delete', { roomId: r.roomId, messageId: sent.message.id })).ok).toBe(true);
    const gone = await fetchMedia(photo.id);
    expect(gone.status).toBe(410);
    expect(gone.json()).toMatchObject({ error: { code: 'MEDIA_DELETED' } });
    const history = await t.client().get<{ messages: Message[] }>(`/api/chats/${r.code}/messages`);
    expect(history.body.messages.find((m) => m.id === sent.message.id)?.attachments).toBeUndefined();

    const file = (id: string) => path.join(t.config.uploadsDir, storageKey(id, 'display'));
    expect(existsSync(file(photo.id)) && existsSync(file(unsent.id))).toBe(true);
    await sweepMedia(t.app.ctx, Date.now() + 2000);
    expect(existsSync(file(photo.id)) || existsSync(file(unsent.id))).toBe(false);
    expect((await fetchMedia(photo.id)).status).toBe(404);
  });
});

describe('bad uploads, each refused with the one error shape and nothing stored', () => {
  let r: Awaited<ReturnType<typeof popChat>>;
  beforeAll(async () => {
    r = await popChat();
  });
  const refusedWith = async (res: { status: number; body: unknown }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
  };

  it('a file over 10 MB, declared or streamed', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0xff);
    await refusedWith(await upload(r.alice.client, r.alice.key, big), 413, 'MEDIA_TOO_LARGE');
    // Without a declared length (chunked), it is counted as it arrives.
    const res = await fetch(`${t.url}/api/media`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', 'x-chatpop-csrf': '1', authorization: `Bearer ${r.alice.key}` },
      body: Readable.toWeb(Readable.from((function* () {
        for (let i = 0; i < 11; i++) yield Buffer.alloc(1024 * 1024, 0xff);
      })())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'MEDIA_TOO_LARGE' } });
  });

  it('a file of another type (a PDF)', async () => {
    await refusedWith(await upload(r.alice.client, r.alice.key, Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')), 415, 'MEDIA_TYPE_UNSUPPORTED');
  });

  it('a script that claims to be image/png', async () => {
    const script = Buffer.from('#!/bin/sh\necho pwned\n<script>alert(1)</script>\n');
    await refusedWith(await upload(r.alice.client, r.alice.key, script, { 'content-type': 'image/png' }), 415, 'MEDIA_TYPE_UNSUPPORTED');
  });

  it('an SVG image', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    await refusedWith(await upload(r.alice.client, r.alice.key, svg, { 'content-type': 'image/svg+xml' }), 415, 'MEDIA_TYPE_UNSUPPORTED');
  });

  it('a truncated JPEG', async () => {
    const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
    await refusedWith(await upload(r.alice.client, r.alice.key, photo.subarray(0, Math.floor(photo.length / 2))), 422, 'MEDIA_UNREADABLE');
  });

  it('an HTML/JPEG polyglot and a JPEG that is also a ZIP', async () => {
    const jpeg = await phonePhoto();
    const html = Buffer.concat([jpeg, Buffer.from('<html><body><script>document.cookie</script></body></html>')]);
    await refusedWith(await upload(r.alice.client, r.alice.key, html), 415, 'MEDIA_TYPE_UNSUPPORTED');
    const zipEnd = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array(18).fill(0)]);
    await refusedWith(await upload(r.alice.client, r.alice.key, Buffer.concat([jpeg, zipEnd])), 415, 'MEDIA_TYPE_UNSUPPORTED');
  });

  it('an upload without a media key, or with a tampered or expired one', async () => {
    const photo = await phonePhoto();
    await refusedWith(await upload(r.alice.client, null, photo), 401, 'MEDIA_KEY_REQUIRED');
    const tampered = r.alice.key.replace(/\.(\d+)\./, (_, exp: string) => `.${Number(exp) + 3600}.`);
    await refusedWith(await upload(r.alice.client, tampered, photo), 403, 'MEDIA_KEY_INVALID');
    const keys = new MediaKeys(t.config.jwtSecret);
    const expired = keys.sign(r.roomId, r.alice.member.id, Date.now() - 2 * 60 * 60 * 1000).key;
    await refusedWith(await upload(r.alice.client, expired, photo), 403, 'MEDIA_KEY_EXPIRED');
  });

  it('an upload by someone who is not a member cannot even get a key', async () => {
    const outsider = await connectSocket(t.url, []);
    sockets.push(outsider);
    expect(await call(outsider, 'media:key', { roomId: r.roomId })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
  });
});

describe('members-only media: private chats and conversations', () => {
  it('a private chat’s photo is served to members with a key, never to others; a ban ends access', async () => {
    const r = await popChat({ media: { photo: true } }, 'private');
    const photo = await uploaded(r.alice.client, r.alice.key);
    const sent = await send(r.alice.socket, r.roomId, '', [photo.id]);
    expect(sent.ok).toBe(true);

    const asMember = await fetchMedia(photo.id, 'display', r.bob.key);
    expect(asMember.status).toBe(200);
    expect(asMember.headers.get('cache-control')).toMatch(/^private, /);

    const anonymous = await fetchMedia(photo.id);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'MEDIA_KEY_REQUIRED' } });
    const other = await popChat();
    const otherRoomKey = await fetchMedia(photo.id, 'display', other.alice.key);
    expect(otherRoomKey.status).toBe(403);
    expect(otherRoomKey.json()).toMatchObject({ error: { code: 'MEDIA_KEY_INVALID' } });
    const forged = r.bob.key.slice(0, -4) + (r.bob.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await fetchMedia(photo.id, 'display', forged)).json()).toMatchObject({ error: { code: 'MEDIA_KEY_INVALID' } });
    const expired = new MediaKeys(t.config.jwtSecret).sign(r.roomId, r.bob.member.id, Date.now() - 2 * 60 * 60 * 1000).key;
    expect((await fetchMedia(photo.id, 'display', expired)).json()).toMatchObject({ error: { code: 'MEDIA_KEY_EXPIRED' } });

    expect((await r.moderate(r.bob.member.id, { action: 'ban' })).status).toBe(200);
    const banned = await fetchMedia(photo.id, 'display', r.bob.key);
    expect(banned.status).toBe(403);
    expect(banned.json()).toMatchObject({ error: { code: 'BANNED' } });
  });

  it('a conversation’s photo reaches its members only; one who leaves loses access', async () => {
    const [ann, ben, cat] = await Promise.all([inboxPerson(t, 'ann'), inboxPerson(t, 'ben'), inboxPerson(t, 'cat')]);
    const res = await ann.client.post('/api/conversations/groups', { usernames: [ben.username, cat.username] });
    expect(res.status).toBe(201);
    const roomId = res.body.conversation.id as string;
    const socketOf = async (p: InboxPerson) => {
      const s = await connectAccountSocket(t.url, p.client);
      sockets.push(s);
      expect((await call(s, 'room:join', { roomId, afterSeq: 0 })).ok).toBe(true);
      return s;
    };
    const [as, bs, cs] = [await socketOf(ann), await socketOf(ben), await socketOf(cat)];
    const [annKey, benKey, catKey] = [await mediaKey(as, roomId), await mediaKey(bs, roomId), await mediaKey(cs, roomId)];
    const heard = collect<Message>(bs, 'message:new');
    const photo = await uploaded(ann.client, annKey);
    const sent = await send(as, roomId, 'from the trip', [photo.id]);
    expect(sent.ok && sent.message.attachments?.[0]?.id).toBe(photo.id);
    await until(() => heard.some((m) => m.attachments?.[0]?.id === photo.id), 5000, 'the photo reaching Ben');
    expect((await fetchMedia(photo.id, 'thumb', benKey)).status).toBe(200);
    // Search's has=media finds messages with photos.
    await send(as, roomId, 'trip without pictures', []);
    const found = await ben.client.get<{ hits: { messageId: string }[] }>(`/api/search?q=trip&has=media&in=${roomId}`);
    expect(found.status).toBe(200);
    expect(found.body.hits.map((h) => h.messageId)).toEqual([sent.ok ? sent.message.id : '']);
    expect((await fetchMedia(photo.id, 'thumb')).status).toBe(401);

    // A stranger has no way in: no key for the conversation, and their own keys are for other rooms.
    const dan = await inboxPerson(t, 'dan');
    const ds = await connectAccountSocket(t.url, dan.client);
    sockets.push(ds);
    expect(await call(ds, 'media:key', { roomId })).toMatchObject({ ok: false });

    expect((await cat.client.post(`/api/conversations/${roomId}/leave`)).status).toBe(204);
    const left = await fetchMedia(photo.id, 'display', catKey);
    expect(left.status).toBe(403);
    expect(left.json()).toMatchObject({ error: { code: 'NOT_A_MEMBER' } });
  });
});
