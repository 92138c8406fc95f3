/**
 * Which installed model an API request means by its `model` field. Pure (tested with tables in model-names.test.ts).
 *
 * A model answers to (case-insensitive):
 *  - its file name (`DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf`; a split model by its first shard's name), and that
 *    name without `.gguf` (and without the `-00001-of-00003` shard suffix);
 *  - its Ollama-style name `<slug>:latest`, where slug is the file stem lower-cased with anything outside
 *    [a-z0-9._-] turned into `-` (`deepseek-r1-distill-qwen-7b-q4_k_m:latest`), and that slug alone (Ollama's tag
 *    defaults to `latest`); any of the names above with `:latest` appended;
 *  - the name llama-server reports in /v1/models (general.name, our `--alias`), and its catalog id.
 */
export interface NamedModel {
  path: string;
  /** general.name, or the file stem (ModelFileInfo.name / LibraryModel.name). */
  name: string;
  catalogId?: string | null;
}

const SHARD = /-\d{5}-of-\d{5}$/i;

export function fileNameOf(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? p;
}

/** The file name without `.gguf` and without a split model's shard suffix. */
export function stemOf(p: string): string {
  return fileNameOf(p)
    .replace(/\.gguf$/i, '')
    .replace(SHARD, '');
}

export function slugOf(p: string): string {
  return (
    stemOf(p)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'model'
  );
}

/** The name /api/tags lists. */
export function ollamaNameOf(m: Pick<NamedModel, 'path'>): string {
  return `${slugOf(m.path)}:latest`;
}

/** Every lower-cased name the model answers to. */
export function namesOf(m: NamedModel): Set<string> {
  const base = [fileNameOf(m.path), stemOf(m.path), slugOf(m.path), m.name, m.catalogId ?? '']
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return new Set(base.flatMap((n) => [n, `${n}:latest`]));
}

export function answersTo(m: NamedModel, requested: string): boolean {
  return namesOf(m).has(requested.trim().toLowerCase());
}

/** The first model (in the given order) that answers to `requested`, or null. */
export function findModel<T extends NamedModel>(models: readonly T[], requested: string): T | null {
  const want = requested.trim().toLowerCase();
  if (!want) return null;
  return models.find((m) => namesOf(m).has(want)) ?? null;
}
