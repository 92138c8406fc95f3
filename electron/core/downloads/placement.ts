/**
 * Where a downloaded file goes: `<models>/<owner>/<repo>/<path in repo>`, and its partial file (and sidecar) under
 * `<models>/.incomplete/` at the same relative path. Every piece of that came from the network or a catalog, so the
 * names are checked like user input (util/safe-path.ts) and the final paths must stay inside the models folder after
 * symlinks are resolved, checked when a job is planned and again before bytes are written or moved in.
 */
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { printable, staysInside, unsafeRelativePath } from '../util/safe-path';
import { repoDir } from './hub-url';

export const INCOMPLETE_DIR = '.incomplete';

export interface Placement {
  target: string;
  partial: string;
}

const unsafe = (repo: string, file: string, why: string) =>
  new AppError('HUB_UNSAFE_PATH', { repo, path: printable(file) }, why);

/** The file's path relative to the models folder, in this platform's separators; throws for an unsafe name. */
function relative(repo: string, file: string): string {
  const why = unsafeRelativePath(file);
  if (why) throw unsafe(repo, file, why);
  return path.join(...repoDir(repo).split('/'), ...file.split('/'));
}

/** Where `file` of `repo` is downloaded to and installed at (pure; throws HUB_UNSAFE_PATH / HUB_BAD_REF). */
export function placeFile(modelsDir: string, repo: string, file: string): Placement {
  const rel = relative(repo, file);
  return { target: path.join(modelsDir, rel), partial: path.join(modelsDir, INCOMPLETE_DIR, `${rel}.partial`) };
}

/**
 * The models folder a stored placement was planned in (the user may have moved the models folder since), or null
 * when the stored paths are not what `placeFile` gives for any folder: then they are not to be trusted.
 */
export function plannedRoot(repo: string, file: string, stored: Placement): string | null {
  const rel = relative(repo, file);
  const target = path.resolve(stored.target);
  if (!target.endsWith(path.sep + rel)) return null;
  const root = target.slice(0, -(rel.length + 1));
  const again = placeFile(root, repo, file);
  return again.target === target && again.partial === path.resolve(stored.partial) ? root : null;
}

/** Throws HUB_UNSAFE_PATH unless the target, the partial file and its sidecar all resolve to inside `modelsDir`. */
export async function checkPlacement(modelsDir: string, repo: string, file: string, p: Placement): Promise<void> {
  for (const q of [p.target, p.partial, `${p.partial}.json`]) {
    if (!(await staysInside(modelsDir, q))) throw unsafe(repo, file, `${q} resolves to outside ${modelsDir}`);
  }
}

/** Checks a stored placement (downloads.json) before it is written to or moved in. */
export async function checkStoredPlacement(repo: string, file: string, p: Placement): Promise<void> {
  const root = plannedRoot(repo, file, p);
  if (root === null) throw unsafe(repo, file, `stored paths ${p.target} / ${p.partial} do not match the file`);
  await checkPlacement(root, repo, file, p);
}
