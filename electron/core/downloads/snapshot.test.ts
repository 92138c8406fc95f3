import { describe, expect, it } from 'vitest';
import { gitBlobSha1, selectSnapshotFiles } from './snapshot';

const f = (path: string, sha256: string | null = null) => ({ path, sizeBytes: 1, sha256 });

describe('selectSnapshotFiles', () => {
  it('takes config, tokenizer, index and every shard at the top level; shards first, config last', () => {
    const got = selectSnapshotFiles('o/r', [
      f('README.md'),
      f('.gitattributes'),
      f('config.json'),
      f('tokenizer.json', 'a'.repeat(64)),
      f('tokenizer_config.json'),
      f('generation_config.json'),
      f('model.safetensors.index.json'),
      f('model-00002-of-00002.safetensors', 'b'.repeat(64)),
      f('model-00001-of-00002.safetensors', 'c'.repeat(64)),
      f('original/consolidated.safetensors', 'd'.repeat(64)),
      f('pytorch_model.bin', 'e'.repeat(64)),
    ]).map((x) => x.path);
    expect(got).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'generation_config.json',
      'model.safetensors.index.json',
      'tokenizer_config.json',
      'tokenizer.json',
      'config.json',
    ]);
  });

  it.each([
    ['no config.json', [f('model.safetensors')], 'config.json'],
    ['no weights', [f('config.json'), f('pytorch_model.bin')], '*.safetensors'],
  ])('%s → HUB_FILE_NOT_FOUND', (_n, files, file) => {
    expect(() => selectSnapshotFiles('o/r', files)).toThrow(
      expect.objectContaining({ code: 'HUB_FILE_NOT_FOUND', params: { repo: 'o/r', file } }),
    );
  });
});

describe('gitBlobSha1', () => {
  it('matches git hash-object', () => {
    // `printf 'hello\n' | git hash-object --stdin` and the empty blob.
    expect(gitBlobSha1(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobSha1(Buffer.alloc(0))).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });
});
