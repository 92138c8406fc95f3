/**
 * salvage: what a damaged library.json still holds. Whatever the text is (cut off, another type, entries of the wrong
 * shape), the result is a valid library with only the entries that are whole on their own.
 */
import { describe, expect, it } from 'vitest';
import { LibraryFile, salvage } from './library-file';

const entry = {
  files: [{ path: '/m/o/r/x.gguf', sha256: 'a'.repeat(64) }],
  hub: 'huggingface',
  repo: 'o/r',
  catalogId: null,
  addedAt: 1,
};

describe('salvage', () => {
  it.each<[string, string, string[], string[]]>([
    ['cut-off text', '{"version":1,"installed":{"o/r/x.gguf":', [], []],
    ['not JSON', 'garbage', [], []],
    ['JSON null', 'null', [], []],
    ['an array', '[1,2]', [], []],
    ['installed is an array', JSON.stringify({ installed: [entry], references: [] }), [], []],
    [
      'a wrong version, entries fine',
      JSON.stringify({ version: 2, installed: { 'o/r/x.gguf': entry }, references: [{ path: '/r.gguf', addedAt: 1 }] }),
      ['o/r/x.gguf'],
      ['/r.gguf'],
    ],
    [
      'one bad entry among good ones',
      JSON.stringify({
        version: 1,
        installed: { 'o/r/x.gguf': entry, 'o/r/y.gguf': { ...entry, files: 'x' } },
        references: [{ path: 1 }, { path: '/r.gguf', addedAt: 2 }, { path: '/r.gguf', addedAt: 3 }],
      }),
      ['o/r/x.gguf'],
      ['/r.gguf'],
    ],
  ])('%s', (_, raw, installed, refs) => {
    const l = salvage(raw);
    expect(LibraryFile.safeParse(l).success).toBe(true);
    expect(Object.keys(l.installed)).toEqual(installed);
    expect(l.references.map((r) => r.path)).toEqual(refs);
  });
});
