/**
 * Quality results and KL-divergence base logits, in dataDir/quality/:
 *   results.json   every result, keyed by qualityKey (file sha256 + text sha256 + settings + base sha256), written
 *                  atomically; at most RESULTS_MAX (the oldest measured go first).
 *   kld-base/      the base model's log-probs llama-perplexity wrote with --kl-divergence-base, one file per base
 *                  model + text + settings, reused by every quant compared with that base. They are big (settings.ts
 *                  has the arithmetic: ~5 GB for a 152k vocabulary at 64 chunks), so the folder is capped at
 *                  KLD_BASE_STORE_MAX_BYTES (12 GB) and the least recently used files are removed first.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { QualityResult } from '../../../shared/quant';
import { WriteQueue, removeStaleTemps, writeFileAtomic } from '../../util/atomic-write';

export const RESULTS_MAX = 2000;
export const KLD_BASE_STORE_MAX_BYTES = 12e9;
export const KLD_BASE_EXT = '.kld';
/** A base file being written (removed on failure or cancel; never reused). */
export const KLD_PARTIAL_EXT = '.kld.partial';
const PARTIAL_STALE_MS = 60 * 60_000;

const ResultsFile = z.object({ version: z.literal(1), results: z.array(z.unknown()) });

export interface QualityKeyParts {
  modelSha256: string;
  textSha256: string;
  contextSize: number;
  chunks: number;
  baseSha256: string | null;
}

/** The cache key of a quality result: the same file, text and settings (and base) give the same key. */
export function qualityKey(p: QualityKeyParts): string {
  const parts = [p.modelSha256, p.textSha256, `c${p.contextSize}`, `n${p.chunks}`, p.baseSha256 ?? 'nobase'];
  return `q1:${createHash('sha256').update(parts.join('\n')).digest('hex')}`;
}

export class QualityStore {
  readonly dir: string;
  readonly baseDir: string;
  private readonly file: string;
  private readonly writes = new WriteQueue();
  private cache: QualityResult[] | null = null;

  constructor(
    dataDir: string,
    readonly baseMaxBytes = KLD_BASE_STORE_MAX_BYTES,
  ) {
    this.dir = path.join(dataDir, 'quality');
    this.baseDir = path.join(this.dir, 'kld-base');
    this.file = path.join(this.dir, 'results.json');
  }

  async get(key: string): Promise<QualityResult | null> {
    return (await this.load()).find((r) => r.key === key) ?? null;
  }

  /** Every result, newest first; only one model's when `modelSha256` is given. */
  async list(modelSha256?: string): Promise<QualityResult[]> {
    const all = await this.load();
    return all.filter((r) => !modelSha256 || r.modelSha256 === modelSha256).sort((a, b) => b.measuredAt - a.measuredAt);
  }

  async put(r: QualityResult): Promise<void> {
    const result = QualityResult.parse(r);
    await this.writes.run(async () => {
      const all = (await this.load()).filter((x) => x.key !== result.key);
      all.push(result);
      all.sort((a, b) => b.measuredAt - a.measuredAt);
      this.cache = all.slice(0, RESULTS_MAX);
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, results: this.cache }, null, 1));
    });
  }

  /** Where the base logits for this base model + text + settings live (whether or not they exist yet). */
  basePath(p: { baseSha256: string; textSha256: string; contextSize: number; chunks: number }): string {
    const name = `${p.baseSha256.slice(0, 32)}-${p.textSha256.slice(0, 16)}-c${p.contextSize}-n${p.chunks}`;
    return path.join(this.baseDir, name + KLD_BASE_EXT);
  }

  /** The base file when it exists (marked as just used, so eviction keeps it); null otherwise. */
  async useBase(file: string): Promise<string | null> {
    try {
      const st = await fs.stat(file);
      if (!st.isFile() || st.size === 0) return null;
      const now = new Date();
      await fs.utimes(file, now, now).catch(() => undefined);
      return file;
    } catch {
      return null;
    }
  }

  /**
   * Makes room for a base file of `bytes`: removes partial files a killed app left and then the least recently used base
   * files until the folder plus `bytes` fits the cap (`keep` is never removed). Returns the files removed.
   */
  async makeRoomForBase(bytes: number, keep: string | null = null): Promise<string[]> {
    await fs.mkdir(this.baseDir, { recursive: true });
    const names = await fs.readdir(this.baseDir);
    const removed: string[] = [];
    const files: { file: string; size: number; mtimeMs: number }[] = [];
    for (const n of names) {
      const file = path.join(this.baseDir, n);
      if (n.endsWith(KLD_PARTIAL_EXT)) {
        // A run in progress writes its partial file chunk by chunk and removes it itself; one untouched for an
        // hour was left by an app that was killed.
        const st = await fs.stat(file).catch(() => null);
        if (st && Date.now() - st.mtimeMs > PARTIAL_STALE_MS) {
          await fs.rm(file, { force: true });
          removed.push(file);
        }
        continue;
      }
      if (!n.endsWith(KLD_BASE_EXT)) continue;
      const st = await fs.stat(file).catch(() => null);
      if (st?.isFile()) files.push({ file, size: st.size, mtimeMs: st.mtimeMs });
    }
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = files.reduce((a, f) => a + f.size, 0);
    for (const f of files) {
      if (total + bytes <= this.baseMaxBytes) break;
      if (f.file === keep) continue;
      await fs.rm(f.file, { force: true });
      total -= f.size;
      removed.push(f.file);
    }
    return removed;
  }

  private async load(): Promise<QualityResult[]> {
    if (this.cache) return this.cache;
    await removeStaleTemps(this.file);
    const out: QualityResult[] = [];
    try {
      const parsed = ResultsFile.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      if (parsed.success)
        for (const r of parsed.data.results) {
          const one = QualityResult.safeParse(r);
          if (one.success) out.push(one.data);
        }
    } catch {
      /* none yet, or unreadable: start empty */
    }
    this.cache = out;
    return out;
  }
}
