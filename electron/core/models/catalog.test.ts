/**
 * The bundled catalog is data the app trusts: it must parse, name files whose quant labels match their entries, keep
 * split sets complete and ordered, and carry the recommended R1 sampling. A user catalog in the data folder adds or
 * replaces entries; a broken one must not hide the bundled catalog.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { Catalog } from '../../shared/models';
import { parseQuant } from '../downloads/hub-url';
import { CatalogStore } from './catalog';

const bundled = path.join(__dirname, '../../../resources/catalog.json');
const models = Catalog.parse(JSON.parse(fs.readFileSync(bundled, 'utf8'))).models;

describe('resources/catalog.json', () => {
  it('has the DeepSeek family the issue lists', () => {
    const ids = models.map((m) => m.id);
    for (const id of [
      'deepseek-r1-distill-qwen-1.5b',
      'deepseek-r1-distill-qwen-7b',
      'deepseek-r1-distill-qwen-14b',
      'deepseek-r1-distill-qwen-32b',
      'deepseek-r1-distill-llama-8b',
      'deepseek-r1-distill-llama-70b',
      'deepseek-r1-0528-qwen3-8b',
      'deepseek-r1-0528',
      'deepseek-v3-0324',
    ]) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(models.map((m) => [m.id, m] as const))('%s: files, quants and sampling are consistent', (_, m) => {
    expect(m.huggingface.repo).toMatch(/^[\w.-]+\/[\w.-]+-GGUF$/);
    for (const q of m.quants) {
      for (const f of q.files) expect(parseQuant(f), f).toBe(q.id);
      if (q.files.length > 1) {
        // Complete, ordered split sets: -00001-of-0000N … -0000N-of-0000N.
        q.files.forEach((f, i) =>
          expect(f).toMatch(
            new RegExp(`-${String(i + 1).padStart(5, '0')}-of-${String(q.files.length).padStart(5, '0')}\\.gguf$`),
          ),
        );
      }
      expect(q.sizeBytes / m.parameters).toBeGreaterThan(0.15);
      expect(q.sizeBytes / m.parameters).toBeLessThan(1.2);
    }
    // Quants are listed from small to large.
    expect(m.quants.map((q) => q.sizeBytes)).toEqual([...m.quants.map((q) => q.sizeBytes)].sort((a, b) => a - b));
    if (m.family === 'deepseek-r1' || m.family === 'deepseek-r1-distill')
      expect(m.sampling).toMatchObject({ temperature: 0.6, top_p: 0.95 });
    expect(m.license).toMatch(/MIT/);
    // Shown on the Models page: in every UI language.
    expect(m.description.length).toBeGreaterThan(10);
    expect(m.descriptionI18n['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
  });

  it('the 671B models are MoE with experts the planner can put in RAM, in dynamic low-bit quants', () => {
    for (const m of models.filter((x) => x.parameters > 600e9)) {
      expect(m.arch).toMatchObject({
        architecture: 'deepseek2',
        expertCount: 256,
        expertUsedCount: 8,
        kvLoraRank: 512,
        ropeDim: 64,
      });
      expect(m.quants.every((q) => q.dynamic && q.files.length > 1)).toBe(true);
    }
  });
});

describe('CatalogStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-cat-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const extra = (m: Record<string, unknown>) =>
    fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify({ version: 1, models: [m] }));
  const local = {
    ...models[1]!,
    id: 'local-test',
    name: 'Local test',
    huggingface: { repo: 'test/tiny-GGUF', revision: 'main' },
  };

  it('merges the data folder catalog over the bundled one', async () => {
    extra(local);
    const s = new CatalogStore([bundled], [path.join(dir, 'catalog.json')]);
    const list = await s.list();
    expect(list.length).toBe(models.length + 1);
    expect((await s.findByRepo('TEST/tiny-gguf'))?.id).toBe('local-test');
    expect((await s.get('deepseek-r1-distill-qwen-7b')).name).toBe('DeepSeek-R1-Distill-Qwen-7B');
  });

  it('replaces a bundled entry with the same id', async () => {
    extra({ ...models[0]!, name: 'Renamed' });
    const s = new CatalogStore([bundled], [path.join(dir, 'catalog.json')]);
    expect((await s.get(models[0]!.id)).name).toBe('Renamed');
    expect((await s.list()).length).toBe(models.length);
  });

  it('a broken user catalog is logged and ignored', async () => {
    fs.writeFileSync(path.join(dir, 'catalog.json'), '{"version":1,"models":[{"id":"x"}]}');
    const logs: string[] = [];
    const s = new CatalogStore([bundled], [path.join(dir, 'catalog.json')], (m) => logs.push(m));
    expect((await s.list()).length).toBe(models.length);
    expect(logs.join('\n')).toMatch(/not valid/);
  });

  it('picks up an edited user catalog without a restart', async () => {
    const s = new CatalogStore([bundled], [path.join(dir, 'catalog.json')]);
    expect((await s.list()).length).toBe(models.length);
    extra(local);
    expect((await s.list()).length).toBe(models.length + 1);
  });

  it('an unknown id is CATALOG_MODEL_NOT_FOUND', async () => {
    const s = new CatalogStore([bundled], []);
    await expect(s.get('nope')).rejects.toMatchObject({ code: 'CATALOG_MODEL_NOT_FOUND' });
    await expect(s.get('nope')).rejects.toBeInstanceOf(AppError);
  });
});
