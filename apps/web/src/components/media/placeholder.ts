import { thumbHashToDataURL } from 'thumbhash';

const cache = new Map<string, string>();

/** The blurred placeholder of a photo, as a data URL, from its ThumbHash (computed once per photo). */
export function placeholderUrl(hash: string): string | undefined {
  const hit = cache.get(hash);
  if (hit) return hit;
  try {
    const bytes = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
    const url = thumbHashToDataURL(bytes);
    if (cache.size > 500) cache.clear();
    cache.set(hash, url);
    return url;
  } catch {
    return undefined;
  }
}
