import { describe, expect, it } from 'vitest';
import {
  conversationListQuerySchema,
  createDirectBodySchema,
  createGroupBodySchema,
  GROUP_DESCRIPTION_MAX_CHARS,
  GROUP_NAME_MAX_CHARS,
  groupPermissionsSchema,
  markReadBodySchema,
  receiptBodySchema,
} from './index';

const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('Inbox bodies', () => {
  it('names the other person of a direct conversation by username or by id, not both', () => {
    expect(createDirectBodySchema.safeParse({ username: 'alice_1' }).success).toBe(true);
    expect(createDirectBodySchema.safeParse({ userId: id }).success).toBe(true);
    expect(createDirectBodySchema.safeParse({}).success).toBe(false);
    expect(createDirectBodySchema.safeParse({ username: 'alice_1', userId: id }).success).toBe(false);
    expect(createDirectBodySchema.safeParse({ userId: 'nope' }).success).toBe(false);
  });

  it('fills a group body with defaults and refuses oversized names and descriptions', () => {
    expect(createGroupBodySchema.parse({ usernames: ['a', 'b'] })).toEqual({ description: '', memberIds: [], usernames: ['a', 'b'] });
    expect(createGroupBodySchema.safeParse({ name: 'x'.repeat(GROUP_NAME_MAX_CHARS + 1) }).success).toBe(false);
    expect(createGroupBodySchema.safeParse({ description: 'x'.repeat(GROUP_DESCRIPTION_MAX_CHARS + 1) }).success).toBe(false);
    expect(createGroupBodySchema.safeParse({ permissions: { send: 'nobody' } }).success).toBe(false);
  });

  it('gives group permissions their defaults', () => {
    expect(groupPermissionsSchema.parse({})).toEqual({ send: 'everyone', addMembers: 'admins', editInfo: 'admins' });
  });

  it('reads the archive flag and page size from a query string', () => {
    expect(conversationListQuerySchema.parse({})).toEqual({ archived: false, limit: 30 });
    expect(conversationListQuerySchema.parse({ archived: 'true', limit: '5' })).toEqual({ archived: true, limit: 5 });
    expect(conversationListQuerySchema.safeParse({ archived: 'yes' }).success).toBe(false);
  });

  it('takes a watermark as a non-negative seq', () => {
    expect(markReadBodySchema.safeParse({ seq: -1 }).success).toBe(false);
    expect(receiptBodySchema.safeParse({ roomId: id, seq: 3 }).success).toBe(true);
    expect(receiptBodySchema.safeParse({ roomId: id, seq: 1.5 }).success).toBe(false);
  });
});
