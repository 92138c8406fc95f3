/**
 * openRegularFile: a model path comes from a person or a hub, and a FIFO there used to block a libuv worker thread
 * forever (four of them and all file I/O of the app stops). Each row is something that is not a regular file; none may
 * block, all must be refused with ENOTREG. Real FIFOs, devices and links on a real file system.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotRegularFileError, openRegularFile, readRegularText } from './regular-file';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-regular-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

const file = path.join(tmp, 'model.gguf');
fs.writeFileSync(file, 'GGUF....');
const dir = path.join(tmp, 'folder.gguf');
fs.mkdirSync(dir);
const fifo = path.join(tmp, 'pipe.gguf');
if (posix) execFileSync('mkfifo', [fifo]);
const link = path.join(tmp, 'link.gguf');
fs.symlinkSync(file, link);

/** Fails the test instead of hanging it when the open blocks. */
const within = <T>(p: Promise<T>, ms = 2000) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`blocked for ${ms} ms`)), ms))]);

describe('openRegularFile', () => {
  it('opens a regular file (and a link to one) for reading', async () => {
    for (const p of [file, link]) {
      const fh = await openRegularFile(p);
      expect((await fh.readFile('utf8')).slice(0, 4)).toBe('GGUF');
      await fh.close();
    }
  });

  it.each<[string, () => string, 'r' | 'r+' | 'create', boolean]>([
    ['a folder', () => dir, 'r', false],
    ['a folder, for writing', () => dir, 'r+', false],
    ...(posix
      ? ([
          ['a FIFO with no writer', () => fifo, 'r', false],
          ['a FIFO with no reader, for writing', () => fifo, 'r+', false],
          ['a FIFO, to create', () => fifo, 'create', false],
          ['a character device', () => '/dev/null', 'r', false],
          ['a link where we create our own file', () => link, 'create', true],
        ] as [string, () => string, 'r' | 'r+' | 'create', boolean][])
      : []),
  ])('refuses %s without blocking', async (_, p, mode, noFollow) => {
    const err = await within(openRegularFile(p(), { mode, noFollow })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotRegularFileError);
    expect((err as NotRegularFileError).code).toBe('ENOTREG');
  });

  it('a missing file is still ENOENT; create makes it', async () => {
    const p = path.join(tmp, 'new.partial');
    await expect(openRegularFile(p, { mode: 'r+' })).rejects.toMatchObject({ code: 'ENOENT' });
    const fh = await openRegularFile(p, { mode: 'create', noFollow: true });
    await fh.write(Buffer.from('abc'), 0, 3, 0);
    await fh.close();
    expect(fs.readFileSync(p, 'utf8')).toBe('abc');
  });
});

describe('readRegularText', () => {
  it('reads a small file, refuses a big one and a pipe', async () => {
    expect(await readRegularText(file, 100)).toBe('GGUF....');
    await expect(readRegularText(file, 4)).rejects.toMatchObject({ code: 'EFBIG' });
    if (posix) await expect(within(readRegularText(fifo, 100))).rejects.toBeInstanceOf(NotRegularFileError);
  });
});
