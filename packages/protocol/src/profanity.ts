import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';

const FORMAT_CHARACTERS = /\p{Cf}+/gu;

/**
 * Text as a reader sees it, for content rules: compatibility forms folded
 * (NFKC: full-width `ｆｕｃｋ`, ligatures, circled letters) and invisible
 * format characters removed (zero-width space, soft hyphen, word joiner,
 * bidi controls: `\p{Cf}`), which would otherwise split a word the eye reads
 * whole.
 */
export function normalizeForRules(text: string): string {
  return text.normalize('NFKC').replace(FORMAT_CHARACTERS, '');
}

/**
 * Profanity in typed usernames and paid text (SPEC §2.3, §7), through
 * `obscenity`: its English dataset with the recommended transformers catches
 * leet-speak (`sh!t`, `a$$`, `sh1t`) and keeps its allow-listed words
 * (`password`, `assistant`, `classic`, `Scunthorpe`) clean. Built on first use.
 */
let matcher: RegExpMatcher | undefined;

export function containsProfanity(raw: string): boolean {
  matcher ??= new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const text = normalizeForRules(raw);
  if (matcher.hasMatch(text)) return true;
  // Underscores are the only separator a username may hold: `f_u_c_k` is read without them too.
  const joined = text.replace(/_+/g, '');
  return joined !== text && matcher.hasMatch(joined);
}
