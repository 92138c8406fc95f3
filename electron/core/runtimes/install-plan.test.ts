import { describe, expect, it } from 'vitest';
import { codeOfCall } from '../../test/error-codes';
import { contentRoot, expectedSha256, findServer, placedFiles } from './install-plan';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const asset = (sha256: string | null) => ({ name: 'llama-b1-bin-win-cpu-x64.zip', size: 1, sha256, url: 'http://h/x' });

describe('expectedSha256', () => {
  it.each<[string, string | null, Record<string, string>, string]>([
    ['the feed digest alone', A, {}, A],
    ['the pinned hash alone (a feed without digests)', null, { 'llama-b1-bin-win-cpu-x64.zip': A }, A],
    ['both, agreeing', A, { 'llama-b1-bin-win-cpu-x64.zip': A.toUpperCase() }, A],
    ['a pin for another asset does not count', A, { 'other.zip': B }, A],
  ])('%s', (_n, feed, pinned, want) => expect(expectedSha256(asset(feed), pinned)).toBe(want));

  it.each<[string, string | null, Record<string, string>]>([
    ['neither: nothing to check the bytes against', null, {}],
    ['both, disagreeing: a mirror serving another build', A, { 'llama-b1-bin-win-cpu-x64.zip': B }],
  ])('refuses %s (RUNTIME_UNVERIFIABLE)', (_n, feed, pinned) => {
    expect(codeOfCall(() => expectedSha256(asset(feed), pinned))).toBe('RUNTIME_UNVERIFIABLE');
  });

  it('a name like __proto__ is not found in the pins by accident', () => {
    expect(codeOfCall(() => expectedSha256({ ...asset(null), name: '__proto__' }, {}))).toBe('RUNTIME_UNVERIFIABLE');
  });
});

describe('contentRoot', () => {
  it.each<[string, string[], string]>([
    ['tarball with llama-<tag>/', ['llama-b1/llama-server', 'llama-b1/libggml.so'], 'llama-b1'],
    [
      'cudart tarball',
      ['cudart-llama-b1-bin-ubuntu-cuda-12.8-x64/libcudart.so.12'],
      'cudart-llama-b1-bin-ubuntu-cuda-12.8-x64',
    ],
    ['Windows zip at the root', ['llama-server.exe', 'ggml.dll'], ''],
    ['one file at the root', ['llama-server'], ''],
    ['two top folders', ['a/x', 'b/y'], ''],
    ['nothing', [], ''],
  ])('%s', (_n, files, want) => expect(contentRoot(files)).toBe(want));
});

describe('findServer', () => {
  it.each<[string, string[], string, string | null]>([
    ['at the top', ['llama-server', 'bin/llama-server'], 'linux', 'llama-server'],
    ['in a subfolder', ['lib/x.so', 'bin/llama-server'], 'darwin', 'bin/llama-server'],
    ['Windows wants the .exe', ['llama-server', 'llama-server.exe'], 'win32', 'llama-server.exe'],
    ['not on Windows', ['llama-server.exe'], 'linux', null],
    ['a look-alike is not it', ['llama-server-old', 'not-llama-server'], 'linux', null],
  ])('%s', (_n, files, platform, want) => expect(findServer(files, platform)).toBe(want));
});

describe('placedFiles', () => {
  const f = (p: string) => ({ path: p, size: p.length, sha256: A });
  it.each<[string, string[], string, string[], string[]]>([
    [
      'tarball: the llama-<tag>/ prefix goes',
      ['llama-b1/llama-server', 'llama-b1/lib/libggml.so'],
      'llama-b1',
      ['llama-server', 'lib'],
      ['llama-server', 'lib/libggml.so'],
    ],
    [
      'cudart tarball: its libraries land beside llama-server',
      ['cudart-llama-b1-bin-ubuntu-cuda-12.8-x64/libcudart.so.12'],
      'cudart-llama-b1-bin-ubuntu-cuda-12.8-x64',
      ['libcudart.so.12'],
      ['libcudart.so.12'],
    ],
    [
      'zip at the root: unchanged',
      ['llama-server.exe', 'ggml.dll'],
      '',
      ['llama-server.exe', 'ggml.dll'],
      ['llama-server.exe', 'ggml.dll'],
    ],
    [
      "a name an earlier archive had is not this archive's (not moved)",
      ['c/LICENSE', 'c/libcudart.so.12'],
      'c',
      ['libcudart.so.12'],
      ['libcudart.so.12'],
    ],
    ['a folder not moved takes its files along', ['c/lib/a.so', 'c/x'], 'c', ['x'], ['x']],
    [
      "runtime.json at the top is the install's own",
      ['llama-b1/runtime.json', 'llama-b1/sub/runtime.json'],
      'llama-b1',
      ['runtime.json', 'sub'],
      ['sub/runtime.json'],
    ],
    ['a look-alike prefix is not under the root', ['llama-b10/x', 'llama-b1/y'], 'llama-b1', ['x', 'y'], ['y']],
  ])('%s', (_n, written, root, moved, want) => {
    const got = placedFiles(written.map(f), root, new Set(moved), 'runtime.json');
    expect(got.map((x) => x.path)).toEqual(want);
    // Each keeps the size and hash it was unpacked with (here: the length of its path in the archive).
    for (const g of got)
      expect(g).toEqual({ path: g.path, size: (root ? `${root}/` : '').length + g.path.length, sha256: A });
  });
});
