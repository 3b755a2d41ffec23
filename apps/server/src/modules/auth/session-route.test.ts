import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, registerUser, startApp, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.destroy();
});

describe(`GET /api/auth/session (${backend})`, () => {
  it('answers null for a visitor with no session, never a 401', async () => {
    const res = await t.client().get('/api/auth/session');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: null });
  });

  it('names the signed-in user', async () => {
    const { client, user } = await registerUser(t);
    const res = await client.get('/api/auth/session');
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, email: user.email });
  });

  it('renews an access token that is gone from the refresh cookie, rotating it', async () => {
    const { client, user } = await registerUser(t);
    const refreshBefore = client.cookies.get('cp_rt');
    client.cookies.delete('cp_at');
    const res = await client.get('/api/auth/session');
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    expect(client.cookies.get('cp_at')).toBeTruthy();
    expect(client.cookies.get('cp_rt')).not.toBe(refreshBefore);
    expect((await client.get('/api/me')).status).toBe(200);
  });

  it('answers null and clears the cookies when the session has ended', async () => {
    const { client } = await registerUser(t);
    const stale = new Map(client.cookies);
    expect((await client.post('/api/auth/logout-all')).status).toBe(204);
    for (const [k, v] of stale) client.cookies.set(k, v);
    client.cookies.delete('cp_at');
    const res = await client.get('/api/auth/session');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: null });
    expect(client.cookies.has('cp_rt')).toBe(false);
  });

  it('ignores a forged access cookie rather than failing', async () => {
    const client = t.client();
    client.cookies.set('cp_at', 'not-a-token');
    const res = await client.get('/api/auth/session');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: null });
  });
});
