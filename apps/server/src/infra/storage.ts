import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Uploaded files (avatars now; chat media later) behind one small interface:
 * local disk under DATA_DIR by default. An S3-compatible bucket would be a
 * second implementation (ARCHITECTURE: infra/). Keys are ours, never a
 * client's file name: `avatars/<id>.webp`.
 */
export interface Storage {
  readonly kind: 'local';
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<{ data: Buffer; contentType: string } | null>;
  delete(key: string): Promise<void>;
}

const KEY_PATTERN = /^[a-z0-9-]+\/[A-Za-z0-9_-]+\.(webp|png|jpg)$/;
const CONTENT_TYPES: Record<string, string> = { webp: 'image/webp', png: 'image/png', jpg: 'image/jpeg' };

export function isStorageKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export class LocalDiskStorage implements Storage {
  readonly kind = 'local' as const;

  constructor(private readonly root: string) {}

  private file(key: string): string {
    if (!isStorageKey(key)) throw new Error(`invalid storage key: ${key}`);
    return path.join(this.root, key);
  }

  async put(key: string, data: Buffer) {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Write then rename would matter for large media; an avatar is written whole before its key is published.
    await writeFile(file, data);
  }

  async get(key: string) {
    if (!isStorageKey(key)) return null;
    try {
      const data = await readFile(this.file(key));
      return { data, contentType: CONTENT_TYPES[key.split('.').pop()!] ?? 'application/octet-stream' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string) {
    if (!isStorageKey(key)) return;
    await rm(this.file(key), { force: true });
  }

  async destroy() {
    await rm(this.root, { recursive: true, force: true });
  }
}
