/**
 * A data file that no longer parses is moved out of the way as `<name>.corrupt-<time>`, never deleted: the user (or
 * a bug report) may still want what is in it, and the next write must not replace it.
 */
import fs from 'node:fs/promises';

/** Renames `file` to `<file>.corrupt-<now>`; returns the new path, or null when it could not be moved. */
export async function setAside(file: string, now: number = Date.now()): Promise<string | null> {
  const aside = `${file}.corrupt-${now}`;
  try {
    await fs.rename(file, aside);
    return aside;
  } catch {
    return null;
  }
}
