/**
 * Named API keys for the API other programs use (/v1, /metrics). A key is `dl-` + 32 random bytes (base64url),
 * shown once when it is made; `<dataDir>/api-keys.json` (mode 0600, written atomically) keeps only its SHA-256 and
 * a short prefix to tell keys apart. 256 random bits need no slow hash: nobody guesses them, and a stolen file
 * gives only hashes. Checking a key compares its hash against every stored one in constant time, never stopping at
 * the first match. "Last used" is kept in memory at once and written at most once a minute, so a busy
 * client does not turn every request into a disk write.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ApiKeyInfo } from '../../shared/contract-api';
import { AppError } from '../../shared/errors';
import { removeStaleTemps, WriteQueue, writeFileAtomic, type AtomicFs } from '../util/atomic-write';
import { setAside } from '../util/set-aside';

export const API_KEYS_FILE = 'api-keys.json';
export const KEY_PREFIX = 'dl-';
/** Characters of the key shown in lists (`dl-` and 8 of the random part: 48 of its 256 bits). */
const SHOWN_CHARS = KEY_PREFIX.length + 8;
/** Bounds the work of checking a key (every stored hash is compared). */
export const MAX_KEYS = 100;
/** Last-used times reach the disk at most this often per key. */
export const LAST_USED_WRITE_MS = 60_000;

const StoredKey = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(80),
  prefix: z.string().max(40),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
});
type StoredKey = z.infer<typeof StoredKey>;
const KeysFile = z.object({ v: z.literal(1), keys: z.array(StoredKey).max(MAX_KEYS) });

export const hashKey = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();
export const mintKey = (): string => KEY_PREFIX + randomBytes(32).toString('base64url');

interface Entry {
  info: StoredKey;
  hash: Buffer;
}

export interface ApiKeyStoreOptions {
  /** Reported when a damaged file is set aside or a last-used write fails. */
  note?: (msg: string) => void;
  /** After every change a list shows (create, revoke, a last-used time written). */
  onChange?: (keys: ApiKeyInfo[]) => void;
  now?: () => number;
  /** Tests: a file system that fails like a full disk. */
  fs?: AtomicFs;
}

export class ApiKeyStore {
  readonly file: string;
  private entries: Entry[] = [];
  private readonly queue = new WriteQueue();
  private flushTimer: NodeJS.Timeout | null = null;
  /** A last-used time changed since the file was written; when such a write last went out (one a minute at most). */
  private usedDirty = false;
  private usedWrittenAt = -Infinity;
  private readonly now: () => number;

  private constructor(
    dataDir: string,
    private readonly opts: ApiKeyStoreOptions,
  ) {
    this.file = path.join(dataDir, API_KEYS_FILE);
    this.now = opts.now ?? Date.now;
  }

  /** Reads the file; a damaged one is set aside (`api-keys.json.corrupt-<time>`) and the store starts empty. */
  static async open(dataDir: string, opts: ApiKeyStoreOptions = {}): Promise<ApiKeyStore> {
    const store = new ApiKeyStore(dataDir, opts);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    await removeStaleTemps(this.file);
    let raw: string;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch {
      return;
    }
    const parsed = (() => {
      try {
        return KeysFile.safeParse(JSON.parse(raw));
      } catch {
        return null;
      }
    })();
    if (!parsed?.success) {
      const aside = await setAside(this.file);
      this.opts.note?.(
        `${API_KEYS_FILE} was unreadable; ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'}; no API keys are valid until new ones are made`,
      );
      return;
    }
    this.entries = parsed.data.keys.map((k) => ({
      info: k,
      hash: Buffer.from(k.sha256, 'hex'),
    }));
  }

  list(): ApiKeyInfo[] {
    return this.entries.map(({ info: { id, name, prefix, createdAt, lastUsedAt } }) => ({
      id,
      name,
      prefix,
      createdAt,
      lastUsedAt,
    }));
  }

  /** Makes a key; it is in this answer only (saved before it is returned: a key that did not reach the disk is no key). */
  async create(name: string): Promise<ApiKeyInfo & { key: string }> {
    return this.queue.run(async () => {
      if (this.entries.length >= MAX_KEYS)
        throw new AppError('INVALID_PARAMS', { issues: `at most ${MAX_KEYS} API keys; revoke one first` });
      const key = mintKey();
      const info: StoredKey = {
        id: randomBytes(9).toString('base64url'),
        name: name.trim(),
        prefix: key.slice(0, SHOWN_CHARS),
        sha256: hashKey(key).toString('hex'),
        createdAt: this.now(),
        lastUsedAt: null,
      };
      const entry = { info, hash: hashKey(key) };
      await this.write([...this.entries, entry]);
      this.entries = [...this.entries, entry];
      this.changed();
      const { sha256: _hash, ...shown } = info;
      return { ...shown, key };
    });
  }

  /**
   * Revokes a key: refused from this moment, in memory first, then on disk. A failed write (full disk) is the
   * error, and the key stays refused until the app restarts.
   */
  async revoke(id: string): Promise<{ revoked: boolean }> {
    return this.queue.run(async () => {
      if (!this.entries.some((e) => e.info.id === id)) throw new AppError('API_KEY_NOT_FOUND');
      this.entries = this.entries.filter((e) => e.info.id !== id);
      this.changed();
      await this.write(this.entries);
      return { revoked: true };
    });
  }

  /**
   * Whether `candidate` is a live key (marking it used). Every stored hash is compared, in constant time each, so
   * the time taken says nothing about which key, or how much of one, matched.
   */
  verify(candidate: string): boolean {
    if (!candidate.startsWith(KEY_PREFIX) || candidate.length > 200) return false;
    const hash = hashKey(candidate);
    let found: Entry | null = null;
    for (const e of this.entries) if (timingSafeEqual(e.hash, hash)) found = e;
    if (!found) return false;
    this.markUsed(found);
    return true;
  }

  private markUsed(e: Entry): void {
    const now = this.now();
    e.info = { ...e.info, lastUsedAt: now };
    this.usedDirty = true;
    const wait = this.usedWrittenAt + LAST_USED_WRITE_MS - now;
    if (wait <= 0) this.flushUsed();
    else this.scheduleFlush(wait);
  }

  /** A later use inside the minute is written when the minute is up (so "last used" is at most a minute old). */
  private scheduleFlush(inMs: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushUsed();
    }, inMs);
    this.flushTimer.unref();
  }

  private flushUsed(): void {
    this.usedWrittenAt = this.now();
    void this.queue
      .run(async () => {
        if (!this.usedDirty) return;
        this.usedDirty = false;
        await this.write(this.entries);
        this.changed();
      })
      .catch((e: unknown) => {
        this.usedDirty = true;
        this.opts.note?.(`could not save when API keys were last used: ${String(e)}`);
      });
  }

  /** Writes what is pending and stops the timer (at dispose). */
  async close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.usedDirty) this.flushUsed();
    await this.queue.run(async () => undefined);
  }

  private write(entries: Entry[]): Promise<void> {
    const data = { v: 1, keys: entries.map((e) => e.info) };
    return writeFileAtomic(
      this.file,
      JSON.stringify(data, null, 2) + '\n',
      0o600,
      this.opts.fs ? { fs: this.opts.fs } : {},
    );
  }

  private changed(): void {
    this.opts.onChange?.(this.list());
  }
}
