/**
 * The named API key store: the key is shown once and never reaches the disk (only its hash), revoked keys stop
 * working at once, "last used" is written at most once a minute (a busy client must not cost a disk write per
 * request), and a damaged file is set aside rather than lost or silently overwritten.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { fullDiskFs } from '../../test/full-disk';
import { API_KEYS_FILE, ApiKeyStore, hashKey, LAST_USED_WRITE_MS } from './keys';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-keys-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = () => path.join(dir, API_KEYS_FILE);
const onDisk = () => fs.readFileSync(file(), 'utf8');

describe('create and list', () => {
  it('returns the key once; the file holds its SHA-256 and prefix only, readable by this user only', async () => {
    const store = await ApiKeyStore.open(dir, { now: () => 1000 });
    const made = await store.create('  laptop ');
    expect(made.key).toMatch(/^dl-[A-Za-z0-9_-]{43}$/);
    expect(made).toMatchObject({ name: 'laptop', createdAt: 1000, lastUsedAt: null });
    expect(made.key.startsWith(made.prefix)).toBe(true);
    expect(made.prefix.length).toBeLessThan(made.key.length / 3);
    expect(onDisk()).not.toContain(made.key);
    expect(onDisk()).not.toContain(made.key.slice(made.prefix.length));
    expect(onDisk()).toContain(hashKey(made.key).toString('hex'));
    if (process.platform !== 'win32') expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    // The list never carries the key, nor its hash.
    expect(store.list()).toEqual([
      { id: made.id, name: 'laptop', prefix: made.prefix, createdAt: 1000, lastUsedAt: null },
    ]);
    // Two keys never collide, and a new store reads the same list back.
    const other = await store.create('phone');
    expect(other.key).not.toBe(made.key);
    const again = await ApiKeyStore.open(dir);
    expect(again.list().map((k) => k.name)).toEqual(['laptop', 'phone']);
    expect(again.verify(made.key)).toBe(true);
  });

  it('a key that could not be saved (full disk) is not handed out and does not work', async () => {
    const store = await ApiKeyStore.open(dir, { fs: fullDiskFs('write') });
    const err = await store.create('x').catch((e: unknown) => e);
    expect((err as AppError).code).toBe('DISK_FULL');
    expect(store.list()).toEqual([]);
  });
});

describe('verify and revoke', () => {
  it('accepts live keys only: wrong, truncated, extended and revoked keys are refused', async () => {
    const changes: number[] = [];
    const store = await ApiKeyStore.open(dir, { onChange: (l) => changes.push(l.length) });
    const a = await store.create('a');
    const b = await store.create('b');
    expect(store.verify(a.key)).toBe(true);
    expect(store.verify(b.key)).toBe(true);
    for (const bad of ['', 'dl-', a.key.slice(0, -1), a.key + 'x', a.key.toUpperCase(), 'x'.repeat(5000)])
      expect(store.verify(bad), bad.slice(0, 20)).toBe(false);
    expect(await store.revoke(a.id)).toEqual({ revoked: true });
    expect(store.verify(a.key)).toBe(false);
    expect(store.verify(b.key)).toBe(true);
    // Revoked on disk too: a restart does not bring it back.
    const again = await ApiKeyStore.open(dir);
    expect(again.verify(a.key)).toBe(false);
    expect(again.list().map((k) => k.name)).toEqual(['b']);
    const err = await store.revoke(a.id).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('API_KEY_NOT_FOUND');
    // Each change is announced with the list (last-used writes announce the same list again).
    expect(changes.slice(0, 2)).toEqual([1, 2]);
    expect(changes.at(-1)).toBe(1);
  });

  it('a revoke that cannot reach the disk still refuses the key at once, and says so', async () => {
    const good = await ApiKeyStore.open(dir);
    const a = await good.create('a');
    const store = await ApiKeyStore.open(dir, { fs: fullDiskFs('rename') });
    const err = await store.revoke(a.id).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('DISK_FULL');
    expect(store.verify(a.key)).toBe(false);
  });
});

describe('last used', () => {
  it('is updated in memory on every use and written at most once a minute', async () => {
    let now = 10_000;
    const store = await ApiKeyStore.open(dir, { now: () => now });
    const a = await store.create('a');
    const writes = () => JSON.parse(onDisk()).keys[0].lastUsedAt as number | null;
    expect(store.verify(a.key)).toBe(true);
    await store.close(); // waits for the write queue
    expect(writes()).toBe(10_000);
    const mtime = fs.statSync(file()).mtimeMs;
    for (let i = 1; i <= 50; i++) {
      now = 10_000 + i * 100;
      expect(store.verify(a.key)).toBe(true);
    }
    expect(store.list()[0]!.lastUsedAt).toBe(15_000);
    // Uses inside the minute are not written one by one (the file is untouched until the minute is up)…
    await new Promise((r) => setTimeout(r, 30));
    expect(writes()).toBe(10_000);
    expect(fs.statSync(file()).mtimeMs).toBe(mtime);
    // …and a use after the minute writes the latest time.
    now = 10_000 + LAST_USED_WRITE_MS + 1;
    expect(store.verify(a.key)).toBe(true);
    await store.close();
    expect(writes()).toBe(now);
  });

  it('a use inside the minute is written at close (nothing pending is lost)', async () => {
    let now = 1;
    const store = await ApiKeyStore.open(dir, { now: () => now });
    const a = await store.create('a');
    store.verify(a.key);
    now = 2;
    store.verify(a.key);
    await store.close();
    expect(JSON.parse(onDisk()).keys[0].lastUsedAt).toBe(2);
  });
});

describe('a damaged file', () => {
  it.each([
    ['not JSON', '{"v":1,"keys":['],
    ['wrong shape', '{"v":1,"keys":[{"id":"x"}]}'],
    ['unknown version', '{"v":9,"keys":[]}'],
  ])('(%s) is set aside, the store starts empty, and the next create does not overwrite it', async (_n, text) => {
    fs.writeFileSync(file(), text);
    const notes: string[] = [];
    const store = await ApiKeyStore.open(dir, { note: (m) => notes.push(m) });
    expect(store.list()).toEqual([]);
    const aside = fs.readdirSync(dir).filter((n) => n.startsWith(`${API_KEYS_FILE}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe(text);
    expect(notes[0]).toContain('unreadable');
    await store.create('fresh');
    expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe(text);
  });
});
