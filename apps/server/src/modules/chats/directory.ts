import { eq } from 'drizzle-orm';
import { chatSettingsSchema, groupPermissionsSchema } from '@chatpop/protocol';
import type { Db } from '../../db/client';
import { rooms, type RoomRow } from '../../db/schema';
import type { PubSub } from '../../infra/pubsub';

const ROOM_CACHE_TTL_MS = 10_000;
const INVALIDATE_CHANNEL = 'chatpop:rooms:invalidate';

/**
 * Rooms by id and code, kept briefly in process so the message hot path does
 * not read the room row on every send. A change on any node drops every node's
 * copy through pub/sub. `last_seq` in a cached row is stale by design: the
 * send transaction reads the real one.
 */
export class RoomDirectory {
  private byId = new Map<string, { room: RoomRow; at: number }>();
  private idByCode = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly pubsub: PubSub,
  ) {}

  async start() {
    await this.pubsub.subscribe(INVALIDATE_CHANNEL, (payload) => {
      if (typeof payload === 'string') this.forget(payload);
    });
  }

  async byRoomId(id: string): Promise<RoomRow | undefined> {
    const hit = this.byId.get(id);
    if (hit && Date.now() - hit.at < ROOM_CACHE_TTL_MS) return hit.room;
    const [room] = await this.db.select().from(rooms).where(eq(rooms.id, id)).limit(1);
    if (room) this.remember(room);
    return room;
  }

  async byCode(code: string): Promise<RoomRow | undefined> {
    const id = this.idByCode.get(code);
    if (id) {
      const room = await this.byRoomId(id);
      if (room) return room;
    }
    const [room] = await this.db.select().from(rooms).where(eq(rooms.code, code)).limit(1);
    if (room) this.remember(room);
    return room;
  }

  /** After a write to a room row: drop it here and on every other node. */
  async changed(id: string) {
    this.forget(id);
    await this.pubsub.publish(INVALIDATE_CHANNEL, id);
  }

  private remember(room: RoomRow) {
    // Rows written before a setting existed get its default; a group keeps its permissions.
    const raw = room.settings ?? {};
    room.settings = chatSettingsSchema.parse(raw);
    if (room.kind === 'group') room.settings.permissions = groupPermissionsSchema.parse(raw.permissions ?? {});
    this.byId.set(room.id, { room, at: Date.now() });
    if (room.code) this.idByCode.set(room.code, room.id);
  }

  private forget(id: string) {
    this.byId.delete(id);
  }
}
