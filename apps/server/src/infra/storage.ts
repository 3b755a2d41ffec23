import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Uploaded files (avatars, chat media) behind one small interface: local disk
 * under DATA_DIR by default. An S3-compatible bucket is a second
 * implementation of the same five methods (ARCHITECTURE: infra/): `put` is a
 * PutObject, `open` a GetObject whose body is the stream, `delete` a
 * DeleteObject. Keys are ours, never a client's file name:
 * `avatars/<id>.webp`, `media/<id>-display.webp`.
 */
export interface Storage {
  readonly kind: 'local';
  put(key: string, data: Buffer): Promise<void>;
  /** The whole file; for small ones (avatars). */
  get(key: string): Promise<{ data: Buffer; contentType: string } | null>;
  /** The file as a stream with its size, for serving media without holding it in memory. */
  open(key: string): Promise<{ stream: Readable; size: number; contentType: string } | null>;
  delete(key: string): Promise<void>;
}

const KEY_PATTERN = /^[a-z0-9-]+\/[A-Za-z0-9_-]+\.(webp|png|jpg)$/;
const CONTENT_TYPES: Record<string, string> = { webp: 'image/webp', png: 'image/png', jpg: 'image/jpeg' };

export function isStorageKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

const contentTypeOf = (key: string) => CONTENT_TYPES[key.split('.').pop()!] ?? 'application/octet-stream';

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
    // Written beside, then renamed: a reader never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, data);
    await rename(partial, file);
  }

  async get(key: string) {
    if (!isStorageKey(key)) return null;
    try {
      const data = await readFile(this.file(key));
      return { data, contentType: contentTypeOf(key) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async open(key: string) {
    if (!isStorageKey(key)) return null;
    const file = this.file(key);
    try {
      const { size } = await stat(file);
      return { stream: createReadStream(file), size, contentType: contentTypeOf(key) };
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
