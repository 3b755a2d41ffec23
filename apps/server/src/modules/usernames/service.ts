import {
  checkUsername,
  type JoinOptions,
  type RollAllowance,
  type RollResponse,
  type UsernameCheckResponse,
} from '@chatpop/protocol';
import type { AppContext } from '../../context';
import type { RoomRow, UserRow } from '../../db/schema';
import { AppError, badRequest } from '../../errors';
import { ensureDevice } from '../chats/repo';
import { generateUsername } from './generator';
import * as repo from './repo';
import type { Identity } from './repo';

/** A rolled name may be joined with for an hour (SPEC §2.2), and counts against the hour's rolls as long. */
export const ROLL_WINDOW_MS = 60 * 60 * 1000;
const ROLL_RETENTION_MS = 2 * ROLL_WINDOW_MS;
const ROLL_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes rolls nobody can use any more, now and then (harmless on several nodes at once). */
export function startRollSweeper(ctx: AppContext): NodeJS.Timeout {
  const timer = setInterval(() => {
    repo.deleteRollsBefore(ctx.db, new Date(Date.now() - ROLL_RETENTION_MS)).catch((err: unknown) => ctx.log.warn({ err }, 'roll sweep failed'));
  }, ROLL_SWEEP_INTERVAL_MS);
  timer.unref();
  return timer;
}

/** "42 minutes", "1 minute", "30 seconds": how long to wait, for a person. */
export function formatWait(seconds: number): string {
  if (seconds >= 90) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minutes`;
  }
  if (seconds >= 60) return '1 minute';
  return `${Math.max(1, seconds)} seconds`;
}

function allowance(limit: number, used: { count: number; oldest: Date | null }): RollAllowance {
  return {
    limit,
    remaining: Math.max(0, limit - used.count),
    resetsAt: used.oldest ? new Date(used.oldest.getTime() + ROLL_WINDOW_MS).toISOString() : null,
  };
}

function rollsExhausted(limit: number, oldest: Date | null): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(((oldest?.getTime() ?? Date.now()) + ROLL_WINDOW_MS - Date.now()) / 1000));
  return new AppError(
    429,
    'ROLLS_EXHAUSTED',
    `You have used all ${limit} rolls for this hour. You can roll again in ${formatWait(retryAfterSeconds)}.`,
    { limit, retryAfterSeconds },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/** Rolling is for a chat one can still join. */
export function checkRoll(room: RoomRow): void {
  if (room.endedAt) throw new AppError(403, 'CHAT_LOCKED', 'This chat has ended.');
}

/**
 * One dice roll (SPEC §2.2): a generated name nobody holds and nobody was
 * offered within the hour, recorded for this identity and chat. Counted twice:
 * against the identity's rolls per hour (a runtime setting; 429
 * ROLLS_EXHAUSTED) and against the 20 suggestions per hour per device and per IP
 * per chat (429 RATE_LIMITED), under each of `suggestionKeys`. A roll that
 * fails counts against none of them.
 */
export async function roll(ctx: AppContext, room: RoomRow, who: Identity, suggestionKeys: string[]): Promise<RollResponse> {
  const limit = await ctx.settings.get('usernameRollsPerHour');
  const counted: string[] = [];
  const refund = () => Promise.all(counted.map((key) => ctx.limits.refund('usernameSuggestions', key).catch(() => undefined)));
  try {
    for (const key of suggestionKeys) {
      await ctx.limits.consume('usernameSuggestions', key);
      counted.push(key);
    }
    return await ctx.db.transaction(async (tx) => {
      const since = new Date(Date.now() - ROLL_WINDOW_MS);
      if (who.deviceId) await ensureDevice(tx, who.deviceId);
      await repo.lockIdentity(tx, who);
      const used = await repo.rollsSince(tx, who, since);
      if (used.count >= limit) throw rollsExhausted(limit, used.oldest);
      const name = await generateUsername((names) => repo.unavailableNames(tx, names, since));
      if (!name) throw new AppError(503, 'USERNAME_GENERATION_FAILED', 'We could not find a free name just now. Roll again.');
      await repo.insertRoll(tx, { who, roomId: room.id, name });
      const after = { count: used.count + 1, oldest: used.oldest ?? new Date() };
      return { username: name, remaining: limit - after.count, rolls: allowance(limit, after) };
    });
  } catch (err) {
    await refund();
    throw err;
  }
}

/** What the join dialog opens with: a name already held, the last roll still usable, and the rolls left. */
export async function joinOptions(ctx: AppContext, who: Identity, user: UserRow | null): Promise<JoinOptions> {
  const limit = await ctx.settings.get('usernameRollsPerHour');
  const since = new Date(Date.now() - ROLL_WINDOW_MS);
  const [owned, latest, used] = await Promise.all([
    repo.latestOwnedName(ctx.db, who, user?.usernameLower ?? null),
    repo.latestRoll(ctx.db, who, since),
    repo.rollsSince(ctx.db, who, since),
  ]);
  let rolled: string | null = null;
  if (latest && latest.nameLower !== owned?.toLowerCase()) {
    const claim = await repo.findClaim(ctx.db, latest.nameLower);
    if (!claim) rolled = latest.name;
  }
  return { owned, rolled, rolls: allowance(limit, used) };
}

/** The name an identity chats under (a user's reserved one left out): what the registration form offers to reserve. */
export async function ownedName(ctx: AppContext, who: Identity | null, user: UserRow | null): Promise<{ owned: string | null }> {
  if (!who) return { owned: null };
  return { owned: await repo.latestOwnedName(ctx.db, who, user?.usernameLower ?? null) };
}

/**
 * Everything a registration or a join would check about a typed name (SPEC
 * §2.3), for live forms: the format rules, profanity, and whether someone
 * else holds it. A name the asker's own device or account holds is theirs.
 */
export async function checkAvailability(ctx: AppContext, input: string, asker: { user: UserRow | null; deviceId: string | null }): Promise<UsernameCheckResponse> {
  const check = checkUsername(input);
  if (!check.ok) return { username: check.username, available: false, reason: check.rule ?? 'characters', yours: false, message: check.message! };
  const name = check.username;
  const claim = await repo.findClaim(ctx.db, name.toLowerCase());
  if (!claim) return { username: name, available: true, reason: null, yours: false, message: `${name} is available.` };
  if (asker.user && claim.userId === asker.user.id) {
    return { username: name, available: true, reason: null, yours: true, message: `${claim.name} is already yours.` };
  }
  if (claim.userId === null && asker.deviceId && claim.deviceId === asker.deviceId) {
    return {
      username: name,
      available: true,
      reason: null,
      yours: true,
      message: `You chat as ${claim.name} on this device. Reserve it to keep it, with a verified badge.`,
    };
  }
  return { username: name, available: false, reason: 'taken', yours: false, message: `${name} is taken. Try another one.` };
}

/**
 * A join with a name that is not a user's reserved one takes only a name this
 * identity rolled within the hour, or one it already holds from other chats
 * (SPEC §2.2). Whether it is still free is settled by the claim itself.
 */
export async function checkJoinName(ctx: AppContext, who: Identity, nameLower: string): Promise<void> {
  const since = new Date(Date.now() - ROLL_WINDOW_MS);
  const [claim, rolled] = await Promise.all([repo.findClaim(ctx.db, nameLower), repo.wasRolledFor(ctx.db, who, nameLower, since)]);
  if (claim && repo.ownsClaim(claim, who)) return;
  if (rolled) return;
  throw badRequest(
    'USERNAME_NOT_ROLLED',
    who.userId
      ? 'Join with your reserved username, or roll the dice for a random one.'
      : 'Roll the dice for your name: a name must be rolled for you within the last hour.',
  );
}
