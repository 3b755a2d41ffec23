/**
 * The @mention being typed at the caret, if any: `@` at the start or after a
 * space, then up to 15 name characters, the caret right after them.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([A-Za-z0-9_]{0,15})$/.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, query: match[2]! };
}

/** Names that start with the query (then those that contain it), ignoring case; at most `max`. */
export function mentionMatches(names: readonly string[], query: string, max = 5): string[] {
  const q = query.toLowerCase();
  const starts = names.filter((n) => n.toLowerCase().startsWith(q));
  const contains = q ? names.filter((n) => !n.toLowerCase().startsWith(q) && n.toLowerCase().includes(q)) : [];
  return [...starts, ...contains].slice(0, max);
}

/** The text with the mention at `start` replaced by `@name `, and where the caret goes. */
export function insertMention(text: string, caret: number, start: number, name: string): { text: string; caret: number } {
  const inserted = `@${name} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}
