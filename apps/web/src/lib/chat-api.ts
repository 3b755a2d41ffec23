import { chatViewSchema, type Member } from '@chatpop/protocol';
import { z } from 'zod';

/**
 * `GET /api/chats/:code` and `POST …/access` answer `{chat, viewer}`
 * (docs/api.md). The protocol has no schema for this reply yet.
 */
export const chatWithViewerSchema = z.object({
  chat: chatViewSchema,
  viewer: z.object({ isHost: z.boolean(), canRead: z.boolean() }),
});
export type Viewer = z.infer<typeof chatWithViewerSchema>['viewer'];

/** The signed-in or anonymous participation of this browser, with its chat session token. */
export interface Participation {
  member: Member;
  token: string;
}
