import { AppError, notFound } from '../../errors';

/**
 * Notifications are their owner's alone: every route reads and changes only
 * the signed-in user's rows, so someone else's id is the same 404 as an id
 * that never existed.
 */
export const notificationNotFound = () => notFound('NOTIFICATION_NOT_FOUND', 'There is no such notification.');

export const pushDisabled = () =>
  new AppError(503, 'PUSH_DISABLED', 'Web Push is off on this server: it has no VAPID keys (see the README, "Notifications and push").');
