/**
 * The bundled evaluation texts (resources/eval-texts: manifest.json + one UTF-8 text per language). They are the
 * input of quality checks and the calibration text of importance matrices. A text is used only when its bytes
 * still match the manifest's sha256: a damaged install would silently change every result.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { EvalText, EvalTextId } from '../../../shared/quant';

export const EVAL_TEXTS_DIR = 'eval-texts';
const MANIFEST = 'manifest.json';

const ManifestEntry = EvalText.extend({
  /** The text's file name inside eval-texts/ (a plain name: no folders). */
  file: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .refine((f) => !f.includes('..')),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export const EvalManifest = z.object({ texts: z.array(ManifestEntry) });
export type EvalManifest = z.infer<typeof EvalManifest>;

interface Located {
  dir: string;
  manifest: EvalManifest;
}

/** The first resources folder whose eval-texts/manifest.json parses; null when none does. */
async function locate(resourcesDirs: string[]): Promise<Located | null> {
  for (const res of resourcesDirs) {
    const dir = path.join(res, EVAL_TEXTS_DIR);
    try {
      const raw = await fs.readFile(path.join(dir, MANIFEST), 'utf8');
      const parsed = EvalManifest.safeParse(JSON.parse(raw));
      if (parsed.success) return { dir, manifest: parsed.data };
    } catch {
      /* not in this folder */
    }
  }
  return null;
}

/** The texts the manifest lists (without checking their bytes: that happens when one is used). */
export async function listEvalTexts(resourcesDirs: string[]): Promise<EvalText[]> {
  const found = await locate(resourcesDirs);
  if (!found) return [];
  return found.manifest.texts.map(({ id, title, source, license, bytes, sha256 }) => ({
    id,
    title,
    source,
    license,
    bytes,
    sha256,
  }));
}

/** The text's path once its sha256 matches the manifest; QUALITY_TEXT_MISSING {id, path} otherwise. */
export async function evalTextPath(resourcesDirs: string[], id: EvalTextId): Promise<{ path: string; sha256: string }> {
  const found = await locate(resourcesDirs);
  const fallback = path.join(resourcesDirs[0] ?? '.', EVAL_TEXTS_DIR, MANIFEST);
  if (!found) throw new AppError('QUALITY_TEXT_MISSING', { id, path: fallback }, 'no readable eval-texts manifest');
  const entry = found.manifest.texts.find((t) => t.id === id);
  if (!entry)
    throw new AppError('QUALITY_TEXT_MISSING', { id, path: path.join(found.dir, MANIFEST) }, 'not in the manifest');
  const file = path.join(found.dir, entry.file);
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (e) {
    throw new AppError('QUALITY_TEXT_MISSING', { id, path: file }, (e as Error).message);
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (sha256 !== entry.sha256 || data.length !== entry.bytes)
    throw new AppError('QUALITY_TEXT_MISSING', { id, path: file }, `sha256 ${sha256}, manifest ${entry.sha256}`);
  return { path: file, sha256 };
}
