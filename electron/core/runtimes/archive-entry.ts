/**
 * Whether one entry of a downloaded archive may be unpacked: its path checked like a hub's file names (no `..`, not
 * absolute, no drive letter, no backslash, no control character, nothing Windows treats specially), only files,
 * folders and links, links that stay in the folder, nothing written through a link, no name twice, at most
 * MAX_DEPTH folders deep, and caps on the number of entries and the bytes unpacked (a zip bomb). Pure; table-tested
 * in archive-entry.test.ts. The unpacking itself is archive.ts (archive-tar.ts, archive-zip.ts).
 */
import path from 'node:path';
import { unsafeRelativePath } from '../util/safe-path';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface ArchiveEntry {
  /** As written in the archive. */
  path: string;
  kind: EntryKind;
  /** Declared unpacked size (files). */
  size: number;
  /** Symlink target (relative to the link's folder) or hard link target (relative to the archive root). */
  linkpath?: string;
}

export interface ArchiveLimits {
  maxEntries: number;
  maxBytes: number;
}

/** Folders deep an entry may be (official archives: 2). */
export const MAX_DEPTH = 64;

/** Official builds: ~100 entries, ~100 MB (CPU) to a few GB (ROCm, CUDA with cudart). */
export const DEFAULT_LIMITS: ArchiveLimits = { maxEntries: 20_000, maxBytes: 16 * 1024 ** 3 };

export type EntryVerdict =
  /** Unpack it at `rel` ('/'-separated, below the destination). */
  | { kind: 'ok'; rel: string }
  /** The archive's own root folder ("./"): nothing to do. */
  | { kind: 'skip' }
  /** Refuse the archive: an unsafe entry (RUNTIME_ARCHIVE_UNSAFE) or over a cap (RUNTIME_ARCHIVE_BAD). */
  | { kind: 'unsafe'; reason: string }
  | { kind: 'too-big'; reason: string };

/** "./a/b/" → "a/b" (tar writes "./" prefixes and folders with a trailing slash). */
export function normalizeEntryPath(raw: string): string {
  let p = raw;
  while (p.startsWith('./')) p = p.slice(2);
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p === '.' ? '' : p;
}

const key = (p: string) => p.toLowerCase();

/**
 * Decides entries in archive order; one instance per archive. Names are compared case-insensitively (Windows and
 * macOS folders are), so "Lib" and "lib/x" cannot meet through a link there either.
 */
export class EntryChecker {
  private entries = 0;
  private bytes = 0;
  private readonly seen = new Set<string>();
  private readonly links = new Set<string>();
  private readonly files = new Set<string>();

  constructor(private readonly limits: ArchiveLimits = DEFAULT_LIMITS) {}

  check(e: ArchiveEntry): EntryVerdict {
    if (++this.entries > this.limits.maxEntries)
      return { kind: 'too-big', reason: `more than ${this.limits.maxEntries} entries` };
    const rel = normalizeEntryPath(e.path);
    if (rel === '' && e.kind === 'dir' && e.path !== '') return { kind: 'skip' };
    const why = unsafeRelativePath(rel);
    if (why) return { kind: 'unsafe', reason: why };
    if (e.kind === 'other') return { kind: 'unsafe', reason: 'not a file, folder or link' };
    const segs = rel.split('/');
    if (segs.length > MAX_DEPTH) return { kind: 'unsafe', reason: `more than ${MAX_DEPTH} folders deep` };
    for (let i = 1; i < segs.length; i++) {
      const prefix = key(segs.slice(0, i).join('/'));
      if (this.links.has(prefix) || this.files.has(prefix)) return { kind: 'unsafe', reason: 'inside a link or file' };
    }
    const k = key(rel);
    if (this.seen.has(k) && e.kind !== 'dir') return { kind: 'unsafe', reason: 'listed twice' };
    if (this.seen.has(k) && (this.links.has(k) || this.files.has(k))) return { kind: 'unsafe', reason: 'listed twice' };
    if (e.kind === 'symlink') {
      // No `..` at all: a link can then only lead further into the folder, whatever other links it passes through.
      const target = e.linkpath ?? '';
      const t = unsafeRelativePath(normalizeEntryPath(target));
      if (t || target.startsWith('/'))
        return { kind: 'unsafe', reason: `link target "${target}" (${t ?? 'absolute'})` };
      this.links.add(k);
    } else if (e.kind === 'hardlink') {
      const target = normalizeEntryPath(e.linkpath ?? '');
      if (unsafeRelativePath(target) || !this.files.has(key(target)))
        return { kind: 'unsafe', reason: `hard link to "${e.linkpath ?? ''}", not a file unpacked before` };
      this.files.add(k);
    } else if (e.kind === 'file') {
      if (!Number.isSafeInteger(e.size) || e.size < 0) return { kind: 'unsafe', reason: `size ${e.size}` };
      this.bytes += e.size;
      if (this.bytes > this.limits.maxBytes)
        return { kind: 'too-big', reason: `more than ${this.limits.maxBytes} bytes unpacked` };
      this.files.add(k);
    }
    this.seen.add(k);
    return { kind: 'ok', rel };
  }
}

/** A symlink's target as a path below the archive root ('/'-separated), for the check after unpacking. */
export function linkTargetOf(rel: string, linkpath: string): string {
  return path.posix.join(path.posix.dirname(rel), linkpath);
}

/** Unix file type bits of a zip entry made on Unix (versionMadeBy high byte 3), else null. */
export function zipUnixMode(versionMadeBy: number, externalFileAttributes: number): number | null {
  if (versionMadeBy >> 8 !== 3) return null;
  const mode = (externalFileAttributes >>> 16) & 0xffff;
  return mode === 0 ? null : mode;
}

/** A zip entry's kind: folders end in '/', and Unix-made entries say what they are in their mode bits. */
export function zipEntryKind(fileName: string, unixMode: number | null): EntryKind {
  const type = unixMode === null ? null : unixMode & 0o170000;
  if (type === 0o120000) return 'symlink';
  if (type !== null && type !== 0o100000 && type !== 0o040000) return 'other';
  if (fileName.endsWith('/') || type === 0o040000) return 'dir';
  return 'file';
}
