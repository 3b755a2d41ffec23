/**
 * The link of a chat on this site; with an access code, the link that lets its
 * bearer in without typing it. The code rides in the fragment (`#access=`),
 * which browsers never send to a server, so it stays out of logs and referrers.
 */
export function chatUrl(code: string, accessCode?: string): string {
  const url = `${window.location.origin}/chat/${code}`;
  return accessCode ? `${url}#${ACCESS_FRAGMENT}=${encodeURIComponent(accessCode)}` : url;
}

const ACCESS_FRAGMENT = 'access';

/** The access code a private link carried, taken out of the address bar so it is not shared on by accident. */
export function takeAccessCodeFromLink(): string | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const code = params.get(ACCESS_FRAGMENT);
  if (code === null) return null;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return code.trim() || null;
}

/** A QR code of a link, as an image address (the encoder loads only when a code is asked for). */
export async function qrCodeImage(text: string): Promise<string> {
  const { toDataURL } = await import('qrcode');
  return toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 288, color: { dark: '#000000', light: '#ffffff' } });
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether this browser offers its own share sheet (phones, some desktops). */
export function canShareNatively(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.share === 'function';
}

/**
 * Opens the device's share sheet for a link. Answers false when there is no
 * share sheet or it failed; true when shared or when the person closed it.
 */
export async function shareLink(title: string, url: string): Promise<boolean> {
  if (!canShareNatively()) return false;
  try {
    await navigator.share({ title, url });
    return true;
  } catch (err) {
    return err instanceof DOMException && err.name === 'AbortError';
  }
}
