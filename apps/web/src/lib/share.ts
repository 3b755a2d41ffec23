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
