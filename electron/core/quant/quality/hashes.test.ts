import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileHashes } from './hashes';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-hashes-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function write(name: string, data: Buffer): Promise<string> {
  const f = path.join(dir, name);
  await fs.writeFile(f, data);
  return f;
}

describe('FileHashes', () => {
  it('is the file’s sha256, with progress up to its size', async () => {
    const data = Buffer.alloc(9 * 1024 * 1024, 7);
    const f = await write('m.gguf', data);
    const seen: [number, number][] = [];
    const h = await new FileHashes(dir).sha256(f, (d, t) => seen.push([d, t]));
    expect(h).toBe(sha(data));
    expect(seen.at(-1)).toEqual([data.length, data.length]);
    expect(seen.every(([d, t]) => d <= t && t === data.length)).toBe(true);
  });

  it('is cached by path, size, mtime and inode (across instances): a rewrite with another mtime is hashed again', async () => {
    const f = await write('m.gguf', Buffer.from('first version'));
    await fs.utimes(f, 1_700_000_000, 1_700_000_000); // whole seconds: utimes can set them back exactly
    const h1 = await new FileHashes(dir).sha256(f);
    // Same size and mtime, other bytes: the cache answers (this is what makes a second check instant).
    await fs.writeFile(f, Buffer.from('other version'));
    await fs.utimes(f, 1_700_000_000, 1_700_000_000);
    expect(await new FileHashes(dir).sha256(f)).toBe(h1);
    // A new mtime: hashed again.
    await fs.utimes(f, new Date(), new Date(Date.now() + 5000));
    expect(await new FileHashes(dir).sha256(f)).toBe(sha('other version'));
    const cache = JSON.parse(await fs.readFile(path.join(dir, 'quality', 'file-hashes.json'), 'utf8'));
    expect(cache.files).toHaveLength(1);
  });

  it('a split model is the sha256 of its shards’ hashes joined by newlines', async () => {
    const a = Buffer.from('shard one');
    const b = Buffer.from('shard two, longer');
    const first = await write('big-00001-of-00002.gguf', a);
    await write('big-00002-of-00002.gguf', b);
    const seen: number[] = [];
    const h = await new FileHashes(dir).sha256(first, (d) => seen.push(d));
    expect(h).toBe(sha(`${sha(a)}\n${sha(b)}`));
    expect(seen.at(-1)).toBe(a.length + b.length);
  });

  it('a missing shard or file is MODEL_NOT_FOUND', async () => {
    const first = await write('big-00001-of-00002.gguf', Buffer.from('x'));
    await expect(new FileHashes(dir).sha256(first)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(new FileHashes(dir).sha256(path.join(dir, 'nope.gguf'))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
  });

  it('stops when the signal aborts and remembers nothing', async () => {
    const f = await write('m.gguf', Buffer.alloc(32 * 1024 * 1024, 1));
    const ac = new AbortController();
    const reason = new Error('cancelled');
    const p = new FileHashes(dir).sha256(f, () => ac.abort(reason), ac.signal);
    await expect(p).rejects.toBe(reason);
    await expect(fs.stat(path.join(dir, 'quality', 'file-hashes.json'))).rejects.toThrow();
    const pre = new AbortController();
    pre.abort(reason);
    await expect(new FileHashes(dir).sha256(f, undefined, pre.signal)).rejects.toBe(reason);
  });

  it('known() answers from the cache only; remember() fills it for a file hashed elsewhere', async () => {
    const data = Buffer.from('a quantized model');
    const f = await write('q.gguf', data);
    const h = new FileHashes(dir);
    expect(await h.known(f)).toBeNull();
    await h.remember(f, sha(data));
    expect(await new FileHashes(dir).known(f)).toBe(sha(data));
    // Changed since: unknown again.
    await fs.utimes(f, new Date(), new Date(Date.now() + 5000));
    expect(await new FileHashes(dir).known(f)).toBeNull();
    expect(await new FileHashes(dir).known(path.join(dir, 'missing.gguf'))).toBeNull();
    await expect(h.remember(f, 'xyz')).rejects.toThrow();
    // A split model is known once all its shards are.
    const a = await write('s-00001-of-00002.gguf', Buffer.from('one'));
    const b = await write('s-00002-of-00002.gguf', Buffer.from('two'));
    await h.remember(a, sha('one'));
    expect(await h.known(a)).toBeNull();
    await h.remember(b, sha('two'));
    expect(await h.known(a)).toBe(sha(`${sha('one')}\n${sha('two')}`));
  });
});
