/**
 * Photographs and face crops on disk under content-addressed names (the SHA-256 of the bytes), so a
 * user's file name never reaches the filesystem and storing the same bytes twice is harmless.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from 'tensile/node';

const HASH = /^[0-9a-f]{64}$/;

/** The name bytes are stored under: their SHA-256 in hex. */
export function contentName(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ContentStore {
  constructor(readonly root: string) {}

  /** Writes the bytes (atomically, fsynced) and returns their name. */
  async put(bytes: Uint8Array): Promise<string> {
    const hash = contentName(bytes);
    const file = this.pathOf(hash);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, bytes);
    return hash;
  }

  /** The bytes named `hash`, or undefined when the name is malformed or absent. */
  async get(hash: string): Promise<Uint8Array | undefined> {
    if (!HASH.test(hash)) return undefined;
    return readFile(this.pathOf(hash)).catch(() => undefined);
  }

  /**
   * Removes every file not named in `keep`: what a killed process wrote before its database
   * transaction committed, and half-written temporary files. Returns how many went.
   */
  async sweep(keep: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    for (const shard of await readdir(this.root).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(this.root, shard)).catch(() => [] as string[])) {
        if (keep.has(name)) continue;
        await rm(path.join(this.root, shard, name), { force: true });
        removed++;
      }
    }
    return removed;
  }

  private pathOf(hash: string): string {
    return path.join(this.root, hash.slice(0, 2), hash);
  }
}
