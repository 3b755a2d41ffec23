import { eq, inArray } from 'drizzle-orm';
import { RUNTIME_SETTINGS, SETTING_KEYS, type SettingKey, type SettingValue } from '@chatpop/protocol';
import type { Db } from '../../db/client';
import { settings } from '../../db/schema';
import type { PubSub } from '../../infra/pubsub';
import { badRequest } from '../../errors';

const SETTINGS_CACHE_TTL_MS = 5_000;
const INVALIDATE_CHANNEL = 'chatpop:settings:invalidate';

/**
 * Runtime settings (SPEC §5) from the `settings` table, each validated by its
 * protocol schema and falling back to its default. Kept briefly in process;
 * a change on any node drops every node's copy through pub/sub.
 */
export class Settings {
  private cache = new Map<SettingKey, { value: unknown; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly pubsub: PubSub,
  ) {}

  async start() {
    await this.pubsub.subscribe(INVALIDATE_CHANNEL, (payload) => {
      if (typeof payload === 'string') this.cache.delete(payload as SettingKey);
    });
  }

  async get<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < SETTINGS_CACHE_TTL_MS) return hit.value as SettingValue<K>;
    const [row] = await this.db.select().from(settings).where(eq(settings.key, key)).limit(1);
    const value = parseOrDefault(key, row?.value);
    this.cache.set(key, { value, at: Date.now() });
    return value;
  }

  async all(): Promise<{ [K in SettingKey]: SettingValue<K> }> {
    const rows = await this.db.select().from(settings).where(inArray(settings.key, SETTING_KEYS));
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    return Object.fromEntries(SETTING_KEYS.map((k) => [k, parseOrDefault(k, stored.get(k))])) as {
      [K in SettingKey]: SettingValue<K>;
    };
  }

  /** Validates and stores a value; every node reads it within moments. */
  async set<K extends SettingKey>(key: K, value: unknown): Promise<SettingValue<K>> {
    const parsed = RUNTIME_SETTINGS[key].schema.safeParse(value);
    if (!parsed.success) {
      throw badRequest('VALIDATION_FAILED', `${key}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`, {
        issues: parsed.error.issues.map((i) => ({ path: key, message: i.message })),
      });
    }
    const now = new Date();
    await this.db
      .insert(settings)
      .values({ key, value: parsed.data, updatedAt: now })
      .onConflictDoUpdate({ target: settings.key, set: { value: parsed.data, updatedAt: now } });
    this.cache.delete(key);
    await this.pubsub.publish(INVALIDATE_CHANNEL, key);
    return parsed.data as SettingValue<K>;
  }
}

function parseOrDefault<K extends SettingKey>(key: K, raw: unknown): SettingValue<K> {
  const def = RUNTIME_SETTINGS[key];
  if (raw === undefined) return def.default as SettingValue<K>;
  const parsed = def.schema.safeParse(raw);
  // A value stored by an older version that no longer fits: the default holds until someone sets it again.
  return (parsed.success ? parsed.data : def.default) as SettingValue<K>;
}
