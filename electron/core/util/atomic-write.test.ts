/**
 * writeFileAtomic and WriteQueue: readers see old or new content, never a mix, and no temp files pile up next to
 * the user's settings (a crash loop would otherwise fill the data dir with *.tmp).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { fullDiskFs } from '../../test/full-disk';
import { isTempOf, removeStaleTemps, WriteQueue, writeFileAtomic } from './atomic-write';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates the file (and missing parent folders) with the content', async () => {
    const f = path.join(dir, 'a', 'b', 'x.json');
    await writeFileAtomic(f, '{"v":1}');
    expect(fs.readFileSync(f, 'utf8')).toBe('{"v":1}');
    expect(fs.readdirSync(path.dirname(f))).toEqual(['x.json']);
  });

  it('replaces existing content completely, also when the new content is shorter', async () => {
    const f = path.join(dir, 'x.json');
    fs.writeFileSync(f, 'a much longer old content that must not leave a tail');
    await writeFileAtomic(f, 'short');
    expect(fs.readFileSync(f, 'utf8')).toBe('short');
  });

  it('writes bytes as given', async () => {
    const f = path.join(dir, 'x.bin');
    const bytes = new Uint8Array([0, 255, 10, 13, 0]);
    await writeFileAtomic(f, bytes);
    expect(new Uint8Array(fs.readFileSync(f))).toEqual(bytes);
  });

  it.skipIf(process.platform === 'win32')(
    'applies the mode (the API key file must not be world-readable)',
    async () => {
      const f = path.join(dir, 'key');
      const old = process.umask(0);
      try {
        await writeFileAtomic(f, 'secret', 0o600);
      } finally {
        process.umask(old);
      }
      expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    },
  );

  it('leaves no temp file behind after many writes', async () => {
    const f = path.join(dir, 'x.json');
    for (let i = 0; i < 20; i++) await writeFileAtomic(f, String(i));
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(f, `c${i}`)));
    expect(fs.readdirSync(dir)).toEqual(['x.json']);
    // Concurrent writers each rename a complete file, so the result is one of them, whole.
    expect(fs.readFileSync(f, 'utf8')).toMatch(/^c\d+$/);
  });

  it('removes its temp file and rejects when the rename cannot happen', async () => {
    // A non-empty folder where the file should be: the rename fails after the temp file was written.
    const f = path.join(dir, 'x.json');
    fs.mkdirSync(f);
    fs.writeFileSync(path.join(f, 'keep'), '');
    await expect(writeFileAtomic(f, 'data')).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual(['x.json']);
  });
});

describe('writeFileAtomic on a full disk', () => {
  it.each(['open', 'write', 'sync', 'rename'] as const)(
    'ENOSPC at %s: DISK_FULL naming the folder, old content kept, no temp file',
    async (stage) => {
      const f = path.join(dir, 'settings.json');
      fs.writeFileSync(f, 'old');
      const err = await writeFileAtomic(f, 'new content', 0o644, { fs: fullDiskFs(stage) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'DISK_FULL', params: { path: dir } });
      expect(fs.readdirSync(dir)).toEqual(['settings.json']);
      expect(fs.readFileSync(f, 'utf8')).toBe('old');
    },
  );

  it('EDQUOT (over quota) is a full disk too; other errors stay what they are, temp file removed all the same', async () => {
    const f = path.join(dir, 'x.json');
    await expect(writeFileAtomic(f, 'data', 0o644, { fs: fullDiskFs('write', 'EDQUOT') })).rejects.toMatchObject({
      code: 'DISK_FULL',
    });
    const eio = await writeFileAtomic(f, 'data', 0o644, { fs: fullDiskFs('write', 'EIO') }).catch((e: unknown) => e);
    expect(eio).not.toBeInstanceOf(AppError);
    expect((eio as NodeJS.ErrnoException).code).toBe('EIO');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('stale temp files', () => {
  it("recognises only this module's temp files of that file, and removes them", async () => {
    const f = path.join(dir, 'a.partial.json');
    for (const n of [
      'a.partial.json',
      'a.partial.json.123.0badcafe.tmp',
      'a.partial.json.9.deadbeef.tmp',
      'b.json.1.deadbeef.tmp',
      'a.partial.json.x.deadbeef.tmp',
      'a.partial.json.1.deadbeef.tmp.keep',
    ])
      fs.writeFileSync(path.join(dir, n), '');
    expect(isTempOf('a.partial.json.123.0badcafe.tmp', f)).toBe(true);
    expect(isTempOf('a.partial.json', f)).toBe(false);
    await removeStaleTemps(f);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'a.partial.json',
      'a.partial.json.1.deadbeef.tmp.keep',
      'a.partial.json.x.deadbeef.tmp',
      'b.json.1.deadbeef.tmp',
    ]);
  });
});

describe('WriteQueue', () => {
  it('runs tasks one at a time, in call order', async () => {
    const q = new WriteQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        running++;
        expect(running).toBe(1);
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          running--;
          resolve(name);
        }, ms);
      });
    // The first task is the slowest: without the queue the others would finish first.
    const results = await Promise.all([q.run(task('a', 20)), q.run(task('b', 1)), q.run(task('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failed task rejects its caller but does not block the next one', async () => {
    const q = new WriteQueue();
    const failed = q.run(async () => {
      throw new Error('disk full');
    });
    const next = q.run(async () => 'ok');
    await expect(failed).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('ok');
  });
});
