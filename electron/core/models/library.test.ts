/**
 * The library: what is in the models folder (split models once, partial downloads never), imported references,
 * delete (all shards, not while loaded, never outside the models folder) and import (validated; copy or reference).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, httpStatus } from '../../shared/errors';
import { fullDiskFs } from '../../test/full-disk';
import { splitModel, tinyLlamaGguf } from '../../test/hub-fixtures';
import type { LibraryModel } from '../../shared/models';
import { Library } from './library';

const model = (name: string) => tinyLlamaGguf(name, 8192);

let data: string;
let models: string;
let outside: string;
let changes: LibraryModel[][];
let lib: Library;
beforeEach(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lib-'));
  models = path.join(data, 'models');
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lib-out-'));
  changes = [];
  lib = new Library(
    data,
    async () => models,
    (l) => changes.push(l),
  );
  const put = (rel: string, buf: Buffer) => {
    fs.mkdirSync(path.dirname(path.join(models, rel)), { recursive: true });
    fs.writeFileSync(path.join(models, rel), buf);
  };
  put('o/a-GGUF/a-Q8_0.gguf', model('Model A'));
  const [s1, s2] = splitModel();
  put('o/s-GGUF/Q8_0/s-Q8_0-00001-of-00002.gguf', s1!);
  put('o/s-GGUF/Q8_0/s-Q8_0-00002-of-00002.gguf', s2!);
  put('.incomplete/o/b-GGUF/b-Q4_K_M.gguf.partial', Buffer.alloc(10));
  put('o/broken-GGUF/broken.gguf', Buffer.from('not a gguf at all'));
  put('o/a-GGUF/README.md', Buffer.from('x'));
});
afterEach(() => {
  fs.rmSync(data, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('Library', () => {
  it('lists models once (split by first shard), partial downloads never, damaged files with an error', async () => {
    const list = await lib.list();
    expect(list.map((m) => [m.id, m.name, m.splitCount, m.error?.code ?? null])).toEqual([
      ['o/a-GGUF/a-Q8_0.gguf', 'Model A', 1, null],
      ['o/broken-GGUF/broken.gguf', 'broken', 1, 'MODEL_NOT_GGUF'],
      ['o/s-GGUF/Q8_0/s-Q8_0-00001-of-00002.gguf', 'Split Test', 2, null],
    ]);
    expect(list[0]).toMatchObject({
      architecture: 'llama',
      quantization: 'Q8_0',
      contextLength: 8192,
      source: 'models-folder',
    });
  });

  it('records where a download came from', async () => {
    const p = path.join(models, 'o', 'a-GGUF', 'a-Q8_0.gguf');
    await lib.recordInstalled({
      path: p,
      files: [{ path: p, sha256: 'f'.repeat(64) }],
      hub: 'huggingface',
      repo: 'o/a-GGUF',
      catalogId: 'x',
    });
    expect((await lib.list())[0]).toMatchObject({ repo: 'o/a-GGUF', sha256: 'f'.repeat(64), catalogId: 'x' });
    expect(await lib.isInstalled(p, 'f'.repeat(64))).toBe(true);
    expect(await lib.isInstalled(p, 'e'.repeat(64))).toBe(false);
    expect(changes.length).toBe(1);
  });

  it('delete removes every shard and the empty folders', async () => {
    expect(await lib.delete('o/s-GGUF/Q8_0/s-Q8_0-00001-of-00002.gguf', () => false)).toBe(true);
    expect(fs.existsSync(path.join(models, 'o', 's-GGUF'))).toBe(false);
    expect((await lib.list()).map((m) => m.id)).not.toContain('o/s-GGUF/Q8_0/s-Q8_0-00001-of-00002.gguf');
    expect(changes.at(-1)!.length).toBe(2);
  });

  it('refuses to delete the model the backend has loaded', async () => {
    const p = path.join(models, 'o', 'a-GGUF', 'a-Q8_0.gguf');
    await expect(lib.delete('o/a-GGUF/a-Q8_0.gguf', (x) => x === p)).rejects.toMatchObject({ code: 'MODEL_IN_USE' });
    expect(fs.existsSync(p)).toBe(true);
  });

  it.each(['../outside.gguf', 'o/../../x.gguf', '.incomplete/o/b-GGUF/b-Q4_K_M.gguf.partial', 'o/a-GGUF/README.md'])(
    'never deletes outside the models or a non-model: %s',
    async (id) => {
      await expect(lib.delete(id, () => false)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    },
  );

  it.skipIf(process.platform === 'win32')('never follows a symlinked folder out of the models folder', async () => {
    fs.writeFileSync(path.join(outside, 'victim.gguf'), model('Victim'));
    fs.symlinkSync(outside, path.join(models, 'o', 'link-GGUF'), 'dir');
    fs.symlinkSync(outside, path.join(models, 'toplink'), 'dir');
    await expect(lib.delete('o/link-GGUF/victim.gguf', () => false)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(lib.delete('toplink/victim.gguf', () => false)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(fs.readdirSync(outside)).toEqual(['victim.gguf']);
  });

  it.skipIf(process.platform === 'win32')(
    'a model file that is itself a link is unlinked, its target kept',
    async () => {
      fs.writeFileSync(path.join(outside, 'big.gguf'), model('Big'));
      fs.symlinkSync(path.join(outside, 'big.gguf'), path.join(models, 'o', 'a-GGUF', 'big.gguf'));
      expect(await lib.delete('o/a-GGUF/big.gguf', () => false)).toBe(true);
      expect(fs.existsSync(path.join(models, 'o', 'a-GGUF', 'big.gguf'))).toBe(false);
      expect(fs.existsSync(path.join(outside, 'big.gguf'))).toBe(true);
    },
  );

  it('import by reference: validated, listed where it lies, forgotten (not deleted) on delete', async () => {
    const f = path.join(outside, 'mine.gguf');
    fs.writeFileSync(f, model('Mine'));
    const m = await lib.import(f, 'reference');
    expect(m).toMatchObject({ id: `ref:${f}`, source: 'reference', name: 'Mine' });
    expect((await lib.list()).some((x) => x.id === `ref:${f}`)).toBe(true);
    expect(await lib.delete(`ref:${f}`, () => false)).toBe(true);
    expect(fs.existsSync(f)).toBe(true);
    expect((await lib.list()).some((x) => x.id === `ref:${f}`)).toBe(false);
  });

  it('import by copy: all shards into models/imported; a second import is MODEL_EXISTS', async () => {
    const [s1, s2] = splitModel();
    fs.writeFileSync(path.join(outside, 'x-00001-of-00002.gguf'), s1!);
    fs.writeFileSync(path.join(outside, 'x-00002-of-00002.gguf'), s2!);
    const m = await lib.import(path.join(outside, 'x-00001-of-00002.gguf'), 'copy');
    expect(m).toMatchObject({ id: 'imported/x-00001-of-00002.gguf', splitCount: 2, source: 'models-folder' });
    expect(fs.readdirSync(path.join(models, 'imported')).sort()).toEqual([
      'x-00001-of-00002.gguf',
      'x-00002-of-00002.gguf',
    ]);
    await expect(lib.import(path.join(outside, 'x-00001-of-00002.gguf'), 'copy')).rejects.toMatchObject({
      code: 'MODEL_EXISTS',
    });
  });

  it('import refuses what is not a valid GGUF (typed, nothing copied)', async () => {
    const f = path.join(outside, 'bad.gguf');
    fs.writeFileSync(f, 'nope');
    await expect(lib.import(f, 'copy')).rejects.toMatchObject({ code: 'MODEL_NOT_GGUF' });
    await expect(lib.import(path.join(outside, 'missing.gguf'), 'reference')).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    expect(fs.existsSync(path.join(models, 'imported'))).toBe(false);
  });
});

describe('Library on a full disk', () => {
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, copyfile'), { code: 'ENOSPC' });

  it('import by copy: DISK_FULL (507), no shard of it in the models folder, no partial file left behind', async () => {
    const [s1, s2] = splitModel();
    fs.writeFileSync(path.join(outside, 'y-00001-of-00002.gguf'), s1!);
    fs.writeFileSync(path.join(outside, 'y-00002-of-00002.gguf'), s2!);
    let copies = 0;
    // The first shard fits, the second fills the disk halfway through.
    const full = new Library(data, async () => models, undefined, undefined, {
      copyFile: async (a, b) => {
        if (++copies === 1) return fs.promises.copyFile(a, b);
        await fs.promises.writeFile(b, Buffer.alloc(100));
        throw enospc();
      },
    });
    const err = await full.import(path.join(outside, 'y-00001-of-00002.gguf'), 'copy').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DISK_FULL' });
    expect(httpStatus((err as AppError).code)).toBe(507);
    expect(fs.existsSync(path.join(models, 'imported'))).toBe(false);
    expect(fs.existsSync(path.join(models, '.incomplete', 'imported'))).toBe(false);
    expect(fs.readdirSync(path.join(models, '.incomplete', 'o', 'b-GGUF'))).toEqual(['b-Q4_K_M.gguf.partial']);
  });

  it('recording a download on a full disk is DISK_FULL and leaves no temp file next to library.json', async () => {
    const full = new Library(data, async () => models, undefined, undefined, { fs: fullDiskFs('write') });
    const p = path.join(models, 'o', 'a-GGUF', 'a-Q8_0.gguf');
    await expect(
      full.recordInstalled({
        path: p,
        files: [{ path: p, sha256: 'f'.repeat(64) }],
        hub: 'huggingface',
        repo: 'o/a-GGUF',
        catalogId: null,
      }),
    ).rejects.toMatchObject({ code: 'DISK_FULL' });
    expect(fs.readdirSync(data).filter((n) => n.startsWith('library.json'))).toEqual([]);
  });
});

describe('Library with a damaged library.json', () => {
  const sha = 'a'.repeat(64);
  const aPath = () => path.join(models, 'o', 'a-GGUF', 'a-Q8_0.gguf');
  const shards = () => [
    path.join(models, 'o', 's-GGUF', 'Q8_0', 's-Q8_0-00001-of-00002.gguf'),
    path.join(models, 'o', 's-GGUF', 'Q8_0', 's-Q8_0-00002-of-00002.gguf'),
  ];
  // What downloads.json still knows: the single-file model, the split one, and the damaged one.
  const records = () => [
    {
      path: aPath(),
      files: [{ path: aPath(), sha256: sha, sizeBytes: fs.statSync(aPath()).size }],
      hub: 'huggingface',
      repo: 'o/a-GGUF',
      catalogId: 'cat-a',
      at: 111,
    },
    {
      path: shards()[0]!,
      files: shards().map((p, i) => ({ path: p, sha256: String(i).repeat(64), sizeBytes: fs.statSync(p).size })),
      hub: 'modelscope',
      repo: 'o/s-GGUF',
      catalogId: null,
      at: 222,
    },
    {
      path: path.join(models, 'o', 'broken-GGUF', 'broken.gguf'),
      files: [{ path: path.join(models, 'o', 'broken-GGUF', 'broken.gguf'), sha256: sha, sizeBytes: 17 }],
      hub: 'huggingface',
      repo: 'o/broken-GGUF',
      catalogId: null,
      at: 333,
    },
  ];
  const damaged = '{"version":1,"installed":{"o/a-GGUF/a-Q8_0.gguf":{"files":[{"path":"/x","sha256":"';
  const open = () =>
    new Library(
      data,
      async () => models,
      (l) => changes.push(l),
      undefined,
      { downloadRecords: async () => records() },
    );
  const asides = () => fs.readdirSync(data).filter((n) => n.startsWith('library.json.corrupt-'));

  it('is set aside as library.json.corrupt-<time>, and what the download records vouch for comes back', async () => {
    fs.writeFileSync(path.join(data, 'library.json'), damaged);
    const l = open();
    const list = await l.list();
    expect(asides()).toHaveLength(1);
    expect(fs.readFileSync(path.join(data, asides()[0]!), 'utf8')).toBe(damaged);
    expect(list.map((m) => [m.id, m.repo, m.sha256, m.catalogId, m.addedAt])).toEqual([
      ['o/a-GGUF/a-Q8_0.gguf', 'o/a-GGUF', sha, 'cat-a', 111],
      // Its header does not read: no provenance is restored for it.
      ['o/broken-GGUF/broken.gguf', null, null, null, null],
      ['o/s-GGUF/Q8_0/s-Q8_0-00001-of-00002.gguf', 'o/s-GGUF', '0'.repeat(64), null, 222],
    ]);
    // Verified again, so it is not downloaded a second time.
    expect(await l.isInstalled(aPath(), sha)).toBe(true);
    // The rebuilt file is on disk at once, and valid.
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(data, 'library.json'), 'utf8')).installed).sort()).toEqual([
      'o/a-GGUF/a-Q8_0.gguf',
      'o/s-GGUF/Q8_0/s-Q8_0-00001-of-00002.gguf',
    ]);
  });

  it('the next write keeps the rebuilt entries (it used to start from empty and write over the record)', async () => {
    fs.writeFileSync(path.join(data, 'library.json'), damaged);
    const l = open();
    const p = shards()[0]!;
    await l.recordInstalled({
      path: p,
      files: [{ path: p, sha256: 'c'.repeat(64) }],
      hub: 'huggingface',
      repo: 'o/s-GGUF',
      catalogId: null,
    });
    const onDiskNow = JSON.parse(fs.readFileSync(path.join(data, 'library.json'), 'utf8'));
    expect(onDiskNow.installed['o/a-GGUF/a-Q8_0.gguf'].files[0].sha256).toBe(sha);
    expect(onDiskNow.installed['o/s-GGUF/Q8_0/s-Q8_0-00001-of-00002.gguf'].files[0].sha256).toBe('c'.repeat(64));
    expect(asides()).toHaveLength(1);
  });

  it('a file replaced since its download (other size) gets no provenance back', async () => {
    fs.writeFileSync(path.join(data, 'library.json'), 'not json at all');
    const recs = records();
    fs.appendFileSync(aPath(), Buffer.alloc(32));
    const list = await new Library(data, async () => models, undefined, undefined, {
      downloadRecords: async () => recs,
    }).list();
    expect(list.find((m) => m.id === 'o/a-GGUF/a-Q8_0.gguf')).toMatchObject({ repo: null, sha256: null });
  });

  it('entries that still parse on their own are kept, references too', async () => {
    const ref = path.join(outside, 'ref.gguf');
    fs.writeFileSync(ref, model('Ref'));
    fs.writeFileSync(
      path.join(data, 'library.json'),
      JSON.stringify({
        version: 1,
        installed: {
          'o/a-GGUF/a-Q8_0.gguf': {
            files: [{ path: aPath(), sha256: 'e'.repeat(64) }],
            hub: 'huggingface',
            repo: 'o/a-GGUF',
            catalogId: null,
            addedAt: 5,
          },
          bad: { files: 'nope' },
        },
        references: [{ path: ref, addedAt: 7 }, { path: 3 }],
      }),
    );
    const list = await new Library(data, async () => models).list();
    expect(list.find((m) => m.id === 'o/a-GGUF/a-Q8_0.gguf')).toMatchObject({ sha256: 'e'.repeat(64), addedAt: 5 });
    expect(list.find((m) => m.id === `ref:${ref}`)).toMatchObject({ name: 'Ref', addedAt: 7 });
    expect(asides()).toHaveLength(1);
  });

  it('two readers at once rebuild once', async () => {
    fs.writeFileSync(path.join(data, 'library.json'), damaged);
    const l = open();
    await Promise.all([l.list(), l.list(), l.isInstalled(aPath(), sha)]);
    expect(asides()).toHaveLength(1);
    expect(await l.isInstalled(aPath(), sha)).toBe(true);
  });
});
