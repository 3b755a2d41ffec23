import type { Attachment } from '@chatpop/protocol';

/** A single photo is drawn within this box, at its own proportions. */
const SINGLE_MAX_WIDTH_PX = 240;
const SINGLE_MAX_HEIGHT_PX = 300;
/** An album is a grid of square tiles, two to a row. */
export const TILE_PX = 118;
export const GAP_PX = 4;

/**
 * The box a message's photos take, from their stored sizes alone: the row's
 * height is final before any image loads, so the virtualized list's
 * measurement holds and nothing jumps.
 */
export function albumBox(attachments: Pick<Attachment, 'width' | 'height'>[]): { width: number; height: number } {
  if (attachments.length === 1) {
    const { width, height } = attachments[0]!;
    const scale = Math.min(SINGLE_MAX_WIDTH_PX / width, SINGLE_MAX_HEIGHT_PX / height);
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  }
  const rows = Math.ceil(attachments.length / 2);
  return { width: TILE_PX * 2 + GAP_PX, height: rows * TILE_PX + (rows - 1) * GAP_PX };
}
