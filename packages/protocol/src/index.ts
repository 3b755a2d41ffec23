export * from './errors';
export * from './usernames';
export * from './auth';
export * from './chats';
export * from './messages';
export * from './socket';
export * from './health';
export * from './moderation';
