/**
 * The model catalog: resources/catalog.json (bundled), plus an optional catalog.json in the data folder whose entries
 * are added or replace bundled ones by id (tests and e2e point one at the hub emulator; power users add their own).
 * Sizes in the catalog are approximate; the hub's listing (size and SHA-256) is what a download uses.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { Catalog, type CatalogModel, type CatalogQuant } from '../../shared/models';
import type { QuantInput } from './fit';
import { weightsFromFacts } from './model-facts';

export const CATALOG_FILE = 'catalog.json';

async function readCatalog(file: string, required: boolean): Promise<CatalogModel[]> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AppError('CATALOG_INVALID', { path: file, reason: (e as Error).message });
  }
  try {
    return Catalog.parse(JSON.parse(raw)).models;
  } catch (e) {
    const reason = e instanceof z.ZodError ? z.prettifyError(e).slice(0, 500) : (e as Error).message;
    throw new AppError('CATALOG_INVALID', { path: file, reason });
  }
}

export class CatalogStore {
  private cache: { models: CatalogModel[]; key: string } | null = null;

  /** `bundled`: candidate paths of the shipped catalog (first existing wins); `extra`: merged on top when present. */
  constructor(
    private readonly bundled: string[],
    private readonly extra: string[],
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  async list(): Promise<CatalogModel[]> {
    const stats = await Promise.all(
      [...this.bundled, ...this.extra].map((f) =>
        fs.stat(f).then(
          (s) => `${f}:${s.mtimeMs}`,
          () => `${f}:-`,
        ),
      ),
    );
    const key = stats.join('|');
    if (this.cache?.key === key) return this.cache.models;
    let base: CatalogModel[] = [];
    const found = this.bundled.find((_, i) => !stats[i]!.endsWith(':-'));
    if (found) base = await readCatalog(found, true);
    else this.log(`no bundled catalog found (looked in ${this.bundled.join(', ')})`);
    const byId = new Map(base.map((m) => [m.id, m]));
    for (const f of this.extra) {
      try {
        for (const m of await readCatalog(f, false)) byId.set(m.id, m);
      } catch (e) {
        // A broken user catalog must not hide the bundled one.
        this.log((e as Error).message);
      }
    }
    const models = [...byId.values()];
    this.cache = { models, key };
    return models;
  }

  async get(id: string): Promise<CatalogModel> {
    const m = (await this.list()).find((x) => x.id === id);
    if (!m) throw new AppError('CATALOG_MODEL_NOT_FOUND', { id });
    return m;
  }

  /** The catalog entry for a repo on either hub, if any. */
  async findByRepo(repo: string): Promise<CatalogModel | null> {
    const r = repo.toLowerCase();
    return (
      (await this.list()).find(
        (m) => m.huggingface.repo.toLowerCase() === r || m.modelscope?.repo.toLowerCase() === r,
      ) ?? null
    );
  }
}

export function catalogPaths(resourcesDirs: string[], dataDir: string): { bundled: string[]; extra: string[] } {
  return { bundled: resourcesDirs.map((d) => path.join(d, CATALOG_FILE)), extra: [path.join(dataDir, CATALOG_FILE)] };
}

export function quantInput(m: CatalogModel, q: CatalogQuant): QuantInput {
  return {
    quant: q.id,
    bitsPerWeight: q.bitsPerWeight,
    dynamic: q.dynamic,
    weights: weightsFromFacts(m.arch, q.sizeBytes),
  };
}
