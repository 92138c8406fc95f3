/**
 * Paths someone else chose (a hub's file listing, a catalog entry, a request): a pure check that a relative path
 * names a file below its folder on every platform we ship to (table-tested in safe-path.test.ts), and an I/O check
 * that a final path stays inside its folder once symlinks are resolved. Also the one `~` expansion the app uses.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** NAME_MAX on Linux and macOS (bytes); NTFS allows 255 UTF-16 units, which is never fewer. */
export const MAX_SEGMENT_BYTES = 255;
/** Hub paths are short (folder/name.gguf); far below Linux's PATH_MAX so the models folder has room in front. */
export const MAX_RELATIVE_PATH = 1024;

export type UnsafeReason =
  | 'empty'
  | 'too-long'
  | 'malformed'
  | 'control-char'
  | 'backslash'
  | 'absolute'
  | 'drive'
  | 'forbidden-char'
  | 'empty-segment'
  | 'dot-segment'
  | 'trailing-dot-or-space'
  | 'reserved-name'
  | 'segment-too-long';

// C0, DEL and C1 controls: never in a real file name, and NUL truncates paths in C code below us.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Not allowed in Windows file names (':' also names drives and NTFS alternate data streams).
const FORBIDDEN = /[<>:"|?*]/;
// A lone surrogate: not text, and each platform writes it differently (two listings could name one file).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Device names Windows opens instead of a file, with any extension ("nul.gguf" is the null device).
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;

/** Why `segment` cannot be one name in a path, or null when it can. */
export function unsafeSegment(segment: string): UnsafeReason | null {
  if (segment === '') return 'empty-segment';
  if (segment === '.' || segment === '..') return 'dot-segment';
  if (LONE_SURROGATE.test(segment)) return 'malformed';
  if (CONTROL.test(segment)) return 'control-char';
  if (segment.includes('\\')) return 'backslash';
  if (segment.includes('/')) return 'absolute';
  if (FORBIDDEN.test(segment)) return 'forbidden-char';
  // Windows drops trailing dots and spaces ("..." and ".. " both become ".." there).
  if (/[. ]$/.test(segment)) return 'trailing-dot-or-space';
  if (RESERVED.test(segment)) return 'reserved-name';
  if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return 'segment-too-long';
  return null;
}

/**
 * Why `p` is not a safe relative path ("dir/name.gguf", '/' separators), or null when it is: no '..' or '.' or empty
 * segment, not absolute, no drive letter, no backslash, no control character, no name Windows treats specially,
 * sane length per segment and in total.
 */
export function unsafeRelativePath(p: string): UnsafeReason | null {
  if (typeof p !== 'string' || p === '') return 'empty';
  if (p.length > MAX_RELATIVE_PATH) return 'too-long';
  if (LONE_SURROGATE.test(p)) return 'malformed';
  if (CONTROL.test(p)) return 'control-char';
  if (p.includes('\\')) return 'backslash';
  if (p.startsWith('/')) return 'absolute';
  if (/^[A-Za-z]:/.test(p)) return 'drive';
  for (const s of p.split('/')) {
    const r = unsafeSegment(s);
    if (r) return r;
  }
  return null;
}

export const isSafeRelativePath = (p: string): boolean => unsafeRelativePath(p) === null;

/** True when `child` is strictly below `parent` (both absolute, already normalised); pure. */
export function isBelow(
  parent: string,
  child: string,
  p: Pick<typeof path, 'relative' | 'isAbsolute' | 'sep'> = path,
): boolean {
  const rel = p.relative(parent, child);
  return rel !== '' && !p.isAbsolute(rel) && rel.split(p.sep)[0] !== '..';
}

/**
 * The real location of `p`, which need not exist yet: the deepest existing part resolved through symlinks, the
 * missing rest appended. A dangling symlink counts as where it points (writing through it would create its target).
 * A symlink loop or a permission error throws.
 */
export async function realLocation(p: string, hops = 0): Promise<string> {
  let cur = path.resolve(p);
  const missing: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(cur);
      return missing.length ? path.join(real, ...missing.reverse()) : real;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const st = await fs.lstat(cur).catch(() => null);
      if (st?.isSymbolicLink()) {
        if (hops >= 40) throw Object.assign(new Error(`too many symbolic links at ${cur}`), { code: 'ELOOP' });
        const target = path.resolve(path.dirname(cur), await fs.readlink(cur));
        return realLocation(path.join(target, ...missing.reverse()), hops + 1);
      }
      const up = path.dirname(cur);
      if (up === cur) return path.resolve(p);
      missing.push(path.basename(cur));
      cur = up;
    }
  }
}

/**
 * True when `p` stays strictly inside `root` lexically and after resolving symlinks (of every existing part of both,
 * `p` itself included), so neither `..` nor a symlinked folder or file leads out. Errors count as outside.
 */
export async function staysInside(root: string, p: string): Promise<boolean> {
  const r = path.resolve(root);
  const q = path.resolve(p);
  if (!isBelow(r, q)) return false;
  try {
    return isBelow(await realLocation(r), await realLocation(q));
  } catch {
    return false;
  }
}

/** `~` and `~/…` (also `~\…` on Windows) → the home folder; anything else unchanged (trimmed). */
export function expandHome(
  p: string,
  home: string = os.homedir(),
  platform: NodeJS.Platform = process.platform,
): string {
  const t = p.trim();
  if (t === '~') return home;
  if (t.startsWith('~/') || (platform === 'win32' && t.startsWith('~\\'))) return path.join(home, t.slice(2));
  return t;
}

/** A name from the network made fit for a message or a log line: control characters escaped, length capped. */
export function printable(s: string, max = 300): string {
  const t = String(s).replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
