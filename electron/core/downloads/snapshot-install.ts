/**
 * Installing a verified snapshot as one folder: every partial file is moved into a staging folder beside the partials
 * (same disk), which is then renamed to <models>/<owner>/<repo> in one step, so the library never sees half a
 * snapshot. When that folder exists already (a snapshot downloaded again, or files the user put there) the files are
 * moved in one by one, shards first and config.json last (the library recognises a snapshot by its config.json).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { removeStaleTemps } from '../util/atomic-write';
import { staysInside } from '../util/safe-path';
import { moveIn, sidecarOf } from './job-files';
import type { FileSpec } from './job-store';
import { checkStoredPlacement, INCOMPLETE_DIR } from './placement';

export async function installSnapshot(
  repo: string,
  files: FileSpec[],
  folder: string,
  modelsDir: string,
  isInstalled: (f: FileSpec) => Promise<boolean>,
): Promise<void> {
  for (const f of files) await checkStoredPlacement(repo, f.path, f);
  const exists = await fs.stat(folder).then(
    () => true,
    () => false,
  );
  if (exists) {
    for (const f of files) if (!(await isInstalled(f))) await moveIn(repo, f);
    return;
  }
  const staging = path.join(modelsDir, INCOMPLETE_DIR, `.${repo.replace('/', '__')}.${randomBytes(4).toString('hex')}`);
  if (!(await staysInside(modelsDir, staging))) throw new Error(`${staging} resolves to outside ${modelsDir}`);
  await fs.mkdir(staging, { recursive: true });
  try {
    for (const f of files) {
      const to = path.join(staging, ...f.path.split('/'));
      if (path.relative(folder, f.target) !== path.relative(staging, to))
        throw new Error(`${f.target} is not in ${folder}`);
      await fs.mkdir(path.dirname(to), { recursive: true });
      await fs.rename(f.partial, to);
    }
    await fs.mkdir(path.dirname(folder), { recursive: true });
    await fs.rename(staging, folder);
  } catch (e) {
    // Put the partials back, so a retry finds them verified where it looks.
    for (const f of files) await fs.rename(path.join(staging, ...f.path.split('/')), f.partial).catch(() => undefined);
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  for (const f of files) {
    await fs.rm(sidecarOf(f), { force: true });
    await removeStaleTemps(sidecarOf(f));
  }
}
