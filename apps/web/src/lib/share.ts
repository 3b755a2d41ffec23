/** The public link of a chat on this site. */
export function chatUrl(code: string): string {
  return `${window.location.origin}/chat/${code}`;
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
