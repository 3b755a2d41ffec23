/* global self */
/*
 * ChatPop's service worker: shows Web Push notifications (docs/api.md,
 * "Web Push") and opens the message when one is clicked. The payload is
 * { title, body, link, tag, notificationId, unread }.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'ChatPop', body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'ChatPop';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.tag,
      renotify: Boolean(data.tag),
      icon: '/icon.svg',
      badge: '/icon.svg',
      data: { link: data.link || '/', notificationId: data.notificationId },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const link = new URL((event.notification.data && event.notification.data.link) || '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === link && 'focus' in client) return client.focus();
      }
      for (const client of windows) {
        if ('navigate' in client) return client.navigate(link).then((c) => c && c.focus());
      }
      return self.clients.openWindow(link);
    }),
  );
});
