import { describe, expect, it } from 'vitest';
import { conversationMessageDeleteSchema, deleteMessageQuerySchema, FORWARD_TARGETS_MAX, forwardBodySchema, pinMessageBodySchema } from './index';

const id = (n: number) => `0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a${n.toString(16).padStart(2, '0')}`;

describe('Inbox message actions', () => {
  it('deletes for me or for everyone: the query must say which, the socket defaults to everyone', () => {
    expect(deleteMessageQuerySchema.parse({ for: 'me' })).toEqual({ for: 'me' });
    expect(deleteMessageQuerySchema.safeParse({}).success).toBe(false);
    expect(deleteMessageQuerySchema.safeParse({ for: 'all' }).success).toBe(false);
    expect(conversationMessageDeleteSchema.parse({ roomId: id(1), messageId: id(2) })).toEqual({ roomId: id(1), messageId: id(2), for: 'everyone' });
    expect(conversationMessageDeleteSchema.safeParse({ roomId: id(1), messageId: 'x' }).success).toBe(false);
  });

  it('forwards to one to five conversations, each named once, with a client id', () => {
    const clientId = 'fwd-abcdef12';
    expect(forwardBodySchema.safeParse({ to: [id(1)], clientId }).success).toBe(true);
    expect(forwardBodySchema.safeParse({ to: Array.from({ length: FORWARD_TARGETS_MAX }, (_, i) => id(i)), clientId }).success).toBe(true);
    expect(forwardBodySchema.safeParse({ to: Array.from({ length: FORWARD_TARGETS_MAX + 1 }, (_, i) => id(i)), clientId }).success).toBe(false);
    expect(forwardBodySchema.safeParse({ to: [], clientId }).success).toBe(false);
    expect(forwardBodySchema.safeParse({ to: [id(1), id(1).toUpperCase()], clientId }).success).toBe(false);
    expect(forwardBodySchema.safeParse({ to: [id(1)] }).success).toBe(false);
    expect(forwardBodySchema.safeParse({ to: [id(1)], clientId, extra: true }).success).toBe(false);
  });

  it('pins a message by its id', () => {
    expect(pinMessageBodySchema.safeParse({ messageId: id(3) }).success).toBe(true);
    expect(pinMessageBodySchema.safeParse({ messageId: 'nope' }).success).toBe(false);
  });
});
