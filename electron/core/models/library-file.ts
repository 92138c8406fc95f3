/**
 * library.json: its schema, and what can be saved from a damaged one. A file that does not parse is set aside (see
 * util/set-aside.ts) and rebuilt from (1) its entries that still parse on their own and (2) the download records
 * (downloads.json) of models that are still in the models folder, same size, with a GGUF header that reads. What
 * neither knows (where a hand-copied file came from) stays unknown; the file is still listed from the folder scan.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { Provenance } from '../../shared/provenance';

export const Installed = z.object({
  files: z.array(z.object({ path: z.string(), sha256: z.string() })),
  hub: z.string(),
  repo: z.string(),
  catalogId: z.string().nullable(),
  addedAt: z.number(),
  /** Made by the app (llama-quantize); absent in entries written before. */
  provenance: Provenance.nullable().default(null),
});
export type Installed = z.infer<typeof Installed>;
export const Reference = z.object({ path: z.string(), addedAt: z.number() });

export const LibraryFile = z.object({
  version: z.literal(1),
  /** Keyed by the model's path relative to the models folder (posix separators). */
  installed: z.record(z.string(), Installed).default({}),
  references: z.array(Reference).default([]),
});
export type LibraryFile = z.infer<typeof LibraryFile>;

export const emptyLibrary = (): LibraryFile => ({ version: 1, installed: {}, references: [] });

/** A completed download as downloads.json remembers it (each file verified against its SHA-256 when installed). */
export interface DownloadRecord {
  /** The model (first shard), absolute. */
  path: string;
  files: { path: string; sha256: string; sizeBytes: number }[];
  hub: string;
  repo: string;
  catalogId: string | null;
  at: number;
}

/** The entries of damaged library.json text that still parse on their own (one bad entry does not take the rest). */
export function salvage(raw: string): LibraryFile {
  const out = emptyLibrary();
  let j: unknown;
  try {
    j = JSON.parse(raw);
  } catch {
    return out;
  }
  if (!j || typeof j !== 'object') return out;
  const o = j as { installed?: unknown; references?: unknown };
  if (o.installed && typeof o.installed === 'object' && !Array.isArray(o.installed)) {
    for (const [k, v] of Object.entries(o.installed)) {
      const p = Installed.safeParse(v);
      if (p.success) out.installed[k] = p.data;
    }
  }
  if (Array.isArray(o.references)) {
    for (const r of o.references) {
      const p = Reference.safeParse(r);
      if (p.success && !out.references.some((x) => x.path === p.data.path)) out.references.push(p.data);
    }
  }
  return out;
}

export interface RebuildIo {
  /** Models in the folder (first shards), absolute. */
  scan(): Promise<string[]>;
  /** True when the model's GGUF header (every shard) reads. */
  readable(p: string): Promise<boolean>;
}

/**
 * Adds back the installed entries the salvaged file lacks, for models still in the folder whose download record
 * matches what is on disk (every file present with the recorded size) and whose header reads.
 */
export async function rebuild(
  salvaged: LibraryFile,
  root: string,
  records: DownloadRecord[],
  io: RebuildIo,
): Promise<{ library: LibraryFile; restored: string[] }> {
  const library: LibraryFile = { ...salvaged, installed: { ...salvaged.installed } };
  const restored: string[] = [];
  const byPath = new Map(records.map((r) => [path.resolve(r.path), r]));
  for (const p of await io.scan()) {
    const rel = path.relative(root, p).split(path.sep).join('/');
    if (library.installed[rel]) continue;
    const rec = byPath.get(path.resolve(p));
    if (!rec || !(await sizesMatch(rec)) || !(await io.readable(p))) continue;
    library.installed[rel] = {
      files: rec.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
      hub: rec.hub,
      repo: rec.repo,
      catalogId: rec.catalogId,
      provenance: null,
      addedAt: rec.at,
    };
    restored.push(rel);
  }
  return { library, restored };
}

async function sizesMatch(rec: DownloadRecord): Promise<boolean> {
  for (const f of rec.files) {
    const st = await fs.stat(f.path).catch(() => null);
    if (!st?.isFile() || st.size !== f.sizeBytes) return false;
  }
  return true;
}
