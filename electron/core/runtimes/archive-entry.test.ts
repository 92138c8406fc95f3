import { describe, expect, it } from 'vitest';
import { EntryChecker, normalizeEntryPath, zipEntryKind, zipUnixMode, type ArchiveEntry } from './archive-entry';

const f = (path: string, size = 1): ArchiveEntry => ({ path, kind: 'file', size });
const d = (path: string): ArchiveEntry => ({ path, kind: 'dir', size: 0 });
const l = (path: string, linkpath: string): ArchiveEntry => ({ path, kind: 'symlink', size: 0, linkpath });

describe('normalizeEntryPath', () => {
  it.each([
    ['./llama-server', 'llama-server'],
    ['././a/b/', 'a/b'],
    ['./', ''],
    ['.', ''],
    ['llama-v1/', 'llama-v1'],
    // Not cleaned up: the checker refuses these rather than guessing what was meant.
    ['a/../b', 'a/../b'],
    ['a//b', 'a//b'],
    ['/etc/passwd', '/etc/passwd'],
  ])('%j -> %j', (raw, want) => expect(normalizeEntryPath(raw)).toBe(want));
});

describe('EntryChecker: one entry on its own', () => {
  // What each case guards against is in its name; `unsafe` means RUNTIME_ARCHIVE_UNSAFE for the whole archive.
  it.each<[string, ArchiveEntry, string]>([
    ['plain file at the root (Windows zips)', f('llama-server.exe'), 'ok'],
    ['file under the release folder (Linux/macOS tarballs)', f('llama-v0.5.0/llama-server'), 'ok'],
    ['GNU tar "./" prefix', f('./llama-v0.5.0/libggml.so.0'), 'ok'],
    ['the archive root itself', d('./'), 'skip'],
    ['parent escape', f('../evil'), 'unsafe'],
    ['escape in the middle', f('llama/../../evil'), 'unsafe'],
    ['absolute path', f('/etc/cron.d/evil'), 'unsafe'],
    ['drive letter', f('C:/Windows/evil.dll'), 'unsafe'],
    ['UNC path written with backslashes', f('\\\\host\\share\\evil'), 'unsafe'],
    ['backslash traversal', f('..\\evil'), 'unsafe'],
    ['NUL byte', f('llama-server\u0000.txt'), 'unsafe'],
    ['control character', f('a\u001bb'), 'unsafe'],
    ['Windows device name', f('nul.dll'), 'unsafe'],
    ['empty segment', f('a//b'), 'unsafe'],
    ['device entry', { path: 'dev', kind: 'other', size: 0 }, 'unsafe'],
    ['64 levels deep', f(`${'d/'.repeat(63)}x`), 'ok'],
    ["65 levels deep (node-tar's old maxDepth)", f(`${'d/'.repeat(64)}x`), 'unsafe'],
    ['in-folder symlink (libggml.so -> libggml.so.0)', l('llama/libggml.so', 'libggml.so.0'), 'ok'],
    ['in-folder symlink into a subfolder', l('llama/lib.so', 'sub/lib.so.1'), 'ok'],
    ['symlink up and out', l('llama/lib.so', '../../etc/passwd'), 'unsafe'],
    ['symlink up, even if it would land inside', l('llama/sub/lib.so', '../lib.so.0'), 'unsafe'],
    ['absolute symlink', l('llama/lib.so', '/usr/lib/libc.so.6'), 'unsafe'],
    ['symlink to its own folder', l('llama/x', '.'), 'unsafe'],
    ['hard link to nothing unpacked', { path: 'x', kind: 'hardlink', size: 0, linkpath: 'y' }, 'unsafe'],
    ['negative size', f('x', -1), 'unsafe'],
  ])('%s', (_name, entry, want) => {
    expect(new EntryChecker().check(entry).kind).toBe(want);
  });
});

describe('EntryChecker: entries in sequence', () => {
  const run = (entries: ArchiveEntry[], limits = { maxEntries: 100, maxBytes: 1000 }) => {
    const c = new EntryChecker(limits);
    return entries.map((e) => c.check(e).kind);
  };

  it('refuses writing through a link unpacked before (it could lead anywhere the link does)', () => {
    expect(run([l('a', 'b'), f('a/passwd')])).toEqual(['ok', 'unsafe']);
  });

  it('compares names case-insensitively, as Windows and macOS folders do', () => {
    expect(run([l('Lib', 'x'), f('lib/passwd')])).toEqual(['ok', 'unsafe']);
    expect(run([f('LICENSE'), f('license')])).toEqual(['ok', 'unsafe']);
  });

  it('refuses a name listed twice (the second would replace what was checked), but not a folder twice', () => {
    expect(run([f('a'), l('a', 'b')])).toEqual(['ok', 'unsafe']);
    expect(run([d('a'), d('a/'), f('a/x')])).toEqual(['ok', 'ok', 'ok']);
  });

  it('allows a hard link to a file unpacked before', () => {
    expect(run([f('x'), { path: 'y', kind: 'hardlink', size: 0, linkpath: 'x' }])).toEqual(['ok', 'ok']);
  });

  it('caps the number of entries and the bytes unpacked (zip bomb)', () => {
    expect(run([f('a'), f('b'), f('c')], { maxEntries: 2, maxBytes: 1000 })).toEqual(['ok', 'ok', 'too-big']);
    expect(run([f('a', 600), f('b', 400), f('c', 1)], { maxEntries: 10, maxBytes: 1000 })).toEqual([
      'ok',
      'ok',
      'too-big',
    ]);
  });
});

describe('zip entry kinds', () => {
  it.each<[string, number, number, string, string]>([
    ['Windows-made file', 0x0014, 0x20, 'llama-server.exe', 'file'],
    ['Windows-made folder', 0x0014, 0x10, 'sub/', 'dir'],
    ['Unix regular file', 0x0314, 0o100755 << 16, 'llama-server', 'file'],
    ['Unix folder without slash', 0x0314, 0o040755 << 16, 'sub', 'dir'],
    ['Unix symlink', 0x0314, (0o120777 << 16) >>> 0, 'lib.so', 'symlink'],
    ['Unix character device', 0x0314, 0o020644 << 16, 'tty', 'other'],
    ['Unix FIFO', 0x0314, 0o010644 << 16, 'fifo', 'other'],
  ])('%s', (_n, madeBy, attrs, name, want) => {
    expect(zipEntryKind(name, zipUnixMode(madeBy, attrs))).toBe(want);
  });
});
