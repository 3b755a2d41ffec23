import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';

/**
 * Profanity in typed usernames (SPEC §2.3), through `obscenity`: its English
 * dataset with the recommended transformers catches leet-speak (`sh!t`, `a$$`,
 * `sh1t`) and keeps its allow-listed words (`password`, `assistant`,
 * `classic`, `Scunthorpe`) clean. Built on first use.
 */
let matcher: RegExpMatcher | undefined;

export function containsProfanity(text: string): boolean {
  matcher ??= new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  if (matcher.hasMatch(text)) return true;
  // Underscores are the only separator a username may hold: `f_u_c_k` is read without them too.
  const joined = text.replace(/_+/g, '');
  return joined !== text && matcher.hasMatch(joined);
}
