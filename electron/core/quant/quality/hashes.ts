/**
 * sha256 of model files, the identity quality results are cached under. Hashing a multi-GB file takes seconds, so
 * each file's hash is kept in dataDir/quality/file-hashes.json under its path, size, mtime and inode: a file replaced
 * or rewritten in place gets a new entry. A split model's hash is the sha256 of its shards' hashes, one per line.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { splitShardPaths } from '../../models/inspect';
import { WriteQueue, writeFileAtomic } from '../../util/atomic-write';

/** At most this many files are remembered (the least recently used go first). */
export const HASH_CACHE_MAX = 1000;

const Entry = z.object({
  path: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  ino: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  usedAt: z.number(),
});
type Entry = z.infer<typeof Entry>;
const CacheFile = z.object({ version: z.literal(1), files: z.array(Entry) });

export class FileHashes {
  private readonly file: string;
  private readonly writes = new WriteQueue();
  private entries: Map<string, Entry> | null = null;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'quality', 'file-hashes.json');
  }

  /** The file's sha256 (split models: of their shards' hashes); progress in bytes over all shards. */
  async sha256(
    file: string,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<string> {
    const shards = splitShardPaths(file) ?? [file];
    const stats = await Promise.all(shards.map((s) => statOf(s)));
    const total = stats.reduce((a, s) => a + s.size, 0);
    let base = 0;
    const hashes: string[] = [];
    for (const [i, shard] of shards.entries()) {
      const st = stats[i]!;
      const h = await this.hashOne(shard, st, (d) => onProgress?.(base + d, total), signal);
      base += st.size;
      hashes.push(h);
    }
    onProgress?.(total, total);
    if (hashes.length === 1) return hashes[0]!;
    return createHash('sha256').update(hashes.join('\n')).digest('hex');
  }

  /** The hash when every file (shard) is in the cache unchanged; null otherwise. Reads no file content. */
  async known(file: string): Promise<string | null> {
    const shards = splitShardPaths(file) ?? [file];
    const entries = await this.load();
    const hashes: string[] = [];
    for (const shard of shards) {
      const st = await statOf(shard).catch(() => null);
      const hit = st && entries.get(path.resolve(shard));
      if (!st || !hit || hit.size !== st.size || hit.mtimeMs !== st.mtimeMs || hit.ino !== st.ino) return null;
      hashes.push(hit.sha256);
    }
    return hashes.length === 1 ? hashes[0]! : createHash('sha256').update(hashes.join('\n')).digest('hex');
  }

  /**
   * Records the hash of a single file computed elsewhere (a quantize result hashed while it was installed), so the
   * first quality check of it does not read it again. The file must not have changed since it was hashed.
   */
  async remember(file: string, sha256: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    const st = await statOf(file);
    const entries = await this.load();
    const key = path.resolve(file);
    entries.set(key, { path: key, ...st, sha256, usedAt: Date.now() });
    await this.save();
  }

  private async hashOne(
    file: string,
    st: { size: number; mtimeMs: number; ino: number },
    onBytes: (done: number) => void,
    signal?: AbortSignal,
  ): Promise<string> {
    const entries = await this.load();
    const key = path.resolve(file);
    const hit = entries.get(key);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino) {
      hit.usedAt = Date.now();
      return hit.sha256;
    }
    const sha256 = await hashFile(file, onBytes, signal);
    const after = await statOf(file);
    // Changed while we read it: the hash belongs to no single version of the file, so it is not kept.
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs || after.ino !== st.ino)
      throw new AppError('QUALITY_FAILED', { reason: `${file} changed while it was being read` });
    entries.set(key, { path: key, ...st, sha256, usedAt: Date.now() });
    await this.save();
    return sha256;
  }

  private async load(): Promise<Map<string, Entry>> {
    if (this.entries) return this.entries;
    const map = new Map<string, Entry>();
    try {
      const parsed = CacheFile.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      if (parsed.success) for (const e of parsed.data.files) map.set(e.path, e);
    } catch {
      /* none yet, or unreadable: start empty (hashes are recomputed) */
    }
    this.entries = map;
    return map;
  }

  private save(): Promise<void> {
    return this.writes.run(async () => {
      const all = [...(this.entries ?? new Map<string, Entry>()).values()].sort((a, b) => b.usedAt - a.usedAt);
      const kept = all.slice(0, HASH_CACHE_MAX);
      if (kept.length < all.length) this.entries = new Map(kept.map((e) => [e.path, e]));
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, files: kept }), 0o644, { durable: false });
    });
  }
}

async function statOf(file: string): Promise<{ size: number; mtimeMs: number; ino: number }> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    throw new AppError('MODEL_NOT_FOUND', { path: file }, (e as Error).message);
  }
}

/** Streams the file through sha256; rejects with the signal's reason once it aborts. */
export function hashFile(file: string, onBytes?: (done: number) => void, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const hash = createHash('sha256');
    const stream = createReadStream(file, { highWaterMark: 4 * 1024 * 1024 });
    let done = 0;
    let last = 0;
    const onAbort = () => stream.destroy(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk) => {
      hash.update(chunk);
      done += chunk.length;
      const now = Date.now();
      if (now - last >= 200) {
        last = now;
        onBytes?.(done);
      }
    });
    stream.once('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : e);
    });
    stream.once('end', () => {
      signal?.removeEventListener('abort', onAbort);
      onBytes?.(done);
      resolve(hash.digest('hex'));
    });
  });
}
