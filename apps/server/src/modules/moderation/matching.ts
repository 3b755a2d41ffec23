import { MESSAGE_MAX_CHARS, normalizeForRules } from '@chatpop/protocol';
import { badRequest } from '../../errors';

/*
 * The content rules run on every message, so each is linear in the text
 * (STYLE §17): one tokenizing pass and lookups in a prebuilt automaton, never
 * a regex that grows with the host's list or can backtrack. A message is at
 * most MESSAGE_MAX_CHARS long before these run, so the work per message is
 * bounded too. Docs: docs/security.md.
 */

/**
 * Compatibility forms can spell one character out as many (U+FDFA is 18),
 * so the text the rules read is bounded on its own: twice the longest
 * message, which ordinary text (ligatures, full-width forms) never nears.
 */
export const RULES_TEXT_MAX_CHARS = 2 * MESSAGE_MAX_CHARS;

/** The text as the content rules read it (normalized once), or a refusal when that is beyond their bound. */
export function readableText(raw: string): string {
  const text = normalizeForRules(raw);
  if (text.length > RULES_TEXT_MAX_CHARS) {
    throw badRequest('MESSAGE_TOO_LONG', 'This message is too long once its special characters are spelled out. Shorten it and try again.', {
      max: RULES_TEXT_MAX_CHARS,
      length: text.length,
    });
  }
  return text;
}

/** One step of a compiled term list: the next unit ids, where to fall back, what ends here. */
interface Node {
  next: Map<number, Node>;
  fail: Node | null;
  /** The term ending at this node, if one does. */
  hit: Hit | null;
  /** The nearest node down the fail chain with a hit (for terms that end inside a longer match). */
  out: Node | null;
}

interface Hit {
  term: string;
  units: number;
  /** The term begins (ends) with punctuation, so the text must not have a letter or digit just before (after) it. */
  openStart: boolean;
  openEnd: boolean;
}

interface CompiledTerms {
  ids: Map<string, number>;
  root: Node;
}

/**
 * A word (a run of letters and digits), a run of whitespace, or any other
 * single character. Each alternative is a plain character class, so the scan
 * never backtracks.
 */
const UNIT = /[\p{L}\p{N}]+|\s+|[^]/gu;
const WORD_START = /^[\p{L}\p{N}]/u;
const SPACE_START = /^\s/u;

/** Compared without case, accents, compatibility forms or invisible characters. */
function fold(text: string): string {
  return normalizeForRules(text).normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The units of folded text, whitespace runs as one space: "Crypto   Scam!" → ["crypto", " ", "scam", "!"]. */
function units(folded: string): string[] {
  const out: string[] = [];
  for (const [unit] of folded.matchAll(UNIT)) out.push(SPACE_START.test(unit) ? ' ' : unit);
  return out;
}

const newNode = (): Node => ({ next: new Map(), fail: null, hit: null, out: null });

/** An Aho–Corasick automaton over the terms' unit sequences. */
function compile(terms: readonly string[]): CompiledTerms {
  const ids = new Map<string, number>();
  const root = newNode();
  for (const term of terms) {
    const seq = units(fold(term).trim());
    if (seq.length === 0) continue;
    let node = root;
    for (const unit of seq) {
      let id = ids.get(unit);
      if (id === undefined) ids.set(unit, (id = ids.size));
      let child = node.next.get(id);
      if (!child) node.next.set(id, (child = newNode()));
      node = child;
    }
    node.hit ??= { term, units: seq.length, openStart: !WORD_START.test(seq[0]!), openEnd: !WORD_START.test(seq.at(-1)!) };
  }
  const queue: Node[] = [];
  for (const child of root.next.values()) {
    child.fail = root;
    queue.push(child);
  }
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const [id, child] of node.next) {
      let fail = node.fail;
      while (fail && !fail.next.has(id)) fail = fail.fail;
      child.fail = fail ? fail.next.get(id)! : root;
      child.out = child.fail.hit ? child.fail : child.fail.out;
      queue.push(child);
    }
  }
  return { ids, root };
}

const COMPILED_CACHE_MAX = 1_000;
const compiledCache = new Map<string, CompiledTerms>();

function compiled(terms: readonly string[]): CompiledTerms {
  const key = terms.join('\u0000');
  let found = compiledCache.get(key);
  if (!found) {
    if (compiledCache.size >= COMPILED_CACHE_MAX) compiledCache.delete(compiledCache.keys().next().value!);
    found = compile(terms);
    compiledCache.set(key, found);
  }
  return found;
}

/**
 * A blocked term the text contains, compared without case, accents,
 * compatibility forms or invisible characters, as a whole word or phrase
 * ("ass" blocks "ass" but not "class"; "crypto scam" blocks "Crypto   Scam").
 */
export function findBlockedTerm(text: string, terms: readonly string[]): string | null {
  if (terms.length === 0) return null;
  const { ids, root } = compiled(terms);
  const seq = units(fold(text));
  let node = root;
  for (let j = 0; j < seq.length; j++) {
    const id = ids.get(seq[j]!) ?? -1;
    while (node !== root && !node.next.has(id)) node = node.fail!;
    node = node.next.get(id) ?? root;
    for (let at: Node | null = node.hit ? node : node.out; at; at = at.out) {
      const hit = at.hit!;
      const start = j - hit.units + 1;
      if (hit.openStart && start > 0 && WORD_START.test(seq[start - 1]!)) continue;
      if (hit.openEnd && j + 1 < seq.length && WORD_START.test(seq[j + 1]!)) continue;
      return hit.term;
    }
  }
  return null;
}

/** Top-level domains that make `name.tld` read as a link without a scheme. */
const LINK_TLDS = new Set(['com', 'net', 'org', 'io', 'co', 'gg', 'tv', 'me', 'app', 'dev', 'ly', 'xyz', 'info', 'biz', 'us', 'uk', 'de', 'ru', 'cn']);
const LINK_PREFIXES = ['http://', 'https://', 'www.'];

const isAsciiWord = (c: string | undefined) => c !== undefined && /[a-z0-9_]/.test(c);
const isHostChar = (c: string | undefined) => c !== undefined && /[a-z0-9.-]/.test(c);
const isLetterOrDigit = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/**
 * Whether the text holds a link: `http://…`, `https://…` or `www.…` at the
 * start of a word, or a host name ending in a known top-level domain
 * (`spam.example.com`, `bit.ly/x`). One left-to-right pass.
 */
export function containsLink(raw: string): boolean {
  const text = normalizeForRules(raw).toLowerCase();
  for (const prefix of LINK_PREFIXES) {
    for (let at = text.indexOf(prefix); at !== -1; at = text.indexOf(prefix, at + 1)) {
      const after = text[at + prefix.length];
      if (!isAsciiWord(text[at - 1]) && after !== undefined && !/\s/.test(after)) return true;
    }
  }
  // Host names: each maximal run of [a-z0-9.-] is read once, label by label.
  let i = 0;
  while (i < text.length) {
    if (!isHostChar(text[i])) {
      i++;
      continue;
    }
    const start = i;
    while (isHostChar(text[i])) i++;
    if (isLetterOrDigit(text[start - 1])) continue;
    let previousLabel = '';
    let labelStart = start;
    for (let k = start; k <= i; k++) {
      if (k < i && text[k] !== '.') continue;
      const label = text.slice(labelStart, k);
      const endsHere = k === i ? !isLetterOrDigit(text[i]) : true;
      if (previousLabel !== '' && endsHere && LINK_TLDS.has(label)) return true;
      previousLabel = label;
      labelStart = k + 1;
    }
  }
  return false;
}
