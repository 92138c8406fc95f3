import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { evalTextPath, listEvalTexts } from './texts';

const RESOURCES = path.resolve(import.meta.dirname, '../../../../resources');
let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-texts-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function copyBundled(): Promise<string> {
  await fs.cp(path.join(RESOURCES, 'eval-texts'), path.join(tmp, 'eval-texts'), { recursive: true });
  return tmp;
}

async function missing(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe('QUALITY_TEXT_MISSING');
  return (e as AppError).params as Record<string, unknown>;
}

describe('the bundled evaluation texts', () => {
  it('lists en and zh-CN with licence, source and a size that fits the planned chunks', async () => {
    const texts = await listEvalTexts([path.join(tmp, 'nothing-here'), RESOURCES]);
    expect(texts.map((t) => t.id)).toEqual(['en', 'zh-CN']);
    for (const t of texts) {
      expect(t.license).toMatch(/public domain/i);
      expect(t.source).toMatch(/^npm /);
      // ~250–350 KB: 60–90k tokens, enough for 64+ chunks of 512 without shipping megabytes.
      expect(t.bytes).toBeGreaterThan(250_000);
      expect(t.bytes).toBeLessThan(400_000);
    }
  });

  it('gives each text’s path once its bytes match the manifest', async () => {
    for (const id of ['en', 'zh-CN'] as const) {
      const r = await evalTextPath([RESOURCES], id);
      expect(r.path).toBe(path.join(RESOURCES, 'eval-texts', `${id}.txt`));
      const data = await fs.readFile(r.path);
      expect(r.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect(data.toString('utf8')).not.toContain('\r');
    }
  });

  it('a changed text is QUALITY_TEXT_MISSING naming it', async () => {
    const res = await copyBundled();
    const file = path.join(res, 'eval-texts', 'en.txt');
    const data = await fs.readFile(file);
    data[100] = data[100]! ^ 1; // same size, one bit different
    await fs.writeFile(file, data);
    expect(await missing(evalTextPath([res], 'en'))).toEqual({ id: 'en', path: file });
    // The other text is still fine.
    await expect(evalTextPath([res], 'zh-CN')).resolves.toMatchObject({
      path: path.join(res, 'eval-texts', 'zh-CN.txt'),
    });
  });

  it('a deleted text, a missing manifest or an unlisted id is QUALITY_TEXT_MISSING', async () => {
    const res = await copyBundled();
    await fs.rm(path.join(res, 'eval-texts', 'zh-CN.txt'));
    expect(await missing(evalTextPath([res], 'zh-CN'))).toEqual({
      id: 'zh-CN',
      path: path.join(res, 'eval-texts', 'zh-CN.txt'),
    });
    const manifest = path.join(res, 'eval-texts', 'manifest.json');
    const m = JSON.parse(await fs.readFile(manifest, 'utf8'));
    await fs.writeFile(manifest, JSON.stringify({ texts: m.texts.filter((t: { id: string }) => t.id !== 'en') }));
    expect(await missing(evalTextPath([res], 'en'))).toEqual({ id: 'en', path: manifest });
    await fs.rm(manifest);
    expect((await missing(evalTextPath([res], 'en'))).id).toBe('en');
    expect(await listEvalTexts([res])).toEqual([]);
  });

  it('a manifest naming a file outside its folder is not used', async () => {
    const res = await copyBundled();
    const manifest = path.join(res, 'eval-texts', 'manifest.json');
    const m = JSON.parse(await fs.readFile(manifest, 'utf8'));
    m.texts[0].file = '../en.txt';
    await fs.writeFile(path.join(res, 'en.txt'), await fs.readFile(path.join(res, 'eval-texts', 'en.txt')));
    await fs.writeFile(manifest, JSON.stringify(m));
    expect(await listEvalTexts([res])).toEqual([]);
    await missing(evalTextPath([res], 'en'));
  });
});
