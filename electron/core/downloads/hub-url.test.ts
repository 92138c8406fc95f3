/**
 * What people paste into the "open repo" box and the CLI: ids, hf.co / huggingface.co / mirror / ModelScope URLs in
 * their tree, blob, resolve and API forms, with or without :QUANT. Anything else must be a typed HUB_BAD_REF, never a
 * request to a made-up URL.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { RepoFile, RepoRef } from '../../shared/models';
import { defaultGroup, groupGgufFiles, matchQuant, parseQuant, parseRepoRef, repoDir } from './hub-url';

const hf = (repo: string, over: Partial<RepoRef> = {}): RepoRef => ({
  hub: 'huggingface',
  repo,
  revision: 'main',
  file: null,
  quant: null,
  endpoint: null,
  ...over,
});
const ms = (repo: string, over: Partial<RepoRef> = {}): RepoRef => ({
  hub: 'modelscope',
  repo,
  revision: 'master',
  file: null,
  quant: null,
  endpoint: null,
  ...over,
});
const R = 'unsloth/DeepSeek-R1-Distill-Qwen-7B-GGUF';

describe('parseRepoRef', () => {
  it.each<[string, RepoRef]>([
    [R, hf(R)],
    [`${R}:Q4_K_M`, hf(R, { quant: 'Q4_K_M' })],
    [`  ${R}  `, hf(R)],
    [`hf.co/${R}`, hf(R)],
    [`hf.co/${R}:q8_0`, hf(R, { quant: 'q8_0' })],
    [`https://huggingface.co/${R}`, hf(R)],
    [`https://huggingface.co/${R}/`, hf(R)],
    [`https://huggingface.co/${R}/tree/main`, hf(R)],
    [`https://huggingface.co/${R}/tree/refs%2Fpr%2F3`, hf(R, { revision: 'refs/pr/3' })],
    [
      `https://huggingface.co/${R}/blob/main/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf`,
      hf(R, { file: 'DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf' }),
    ],
    [
      `https://huggingface.co/${R}/resolve/main/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf?download=true`,
      hf(R, { file: 'DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf' }),
    ],
    [
      'https://huggingface.co/unsloth/DeepSeek-R1-GGUF/blob/main/DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf',
      hf('unsloth/DeepSeek-R1-GGUF', { file: 'DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf' }),
    ],
    [`https://huggingface.co/api/models/${R}`, hf(R)],
    // A mirror keeps its endpoint, so the listing comes from where the user pointed.
    [`https://hf-mirror.com/${R}`, hf(R, { endpoint: 'https://hf-mirror.com' })],
    [`hf-mirror.com/${R}:Q4_K_M`, hf(R, { endpoint: 'https://hf-mirror.com', quant: 'Q4_K_M' })],
    [`http://127.0.0.1:8080/${R}:Q8_0`, hf(R, { endpoint: 'http://127.0.0.1:8080', quant: 'Q8_0' })],
    [`modelscope.cn/models/${R}`, ms(R)],
    [`https://www.modelscope.cn/models/${R}/files`, ms(R)],
    [
      `https://modelscope.cn/models/${R}/file/view/master/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf?status=1`,
      ms(R, { file: 'DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf' }),
    ],
    [`https://www.modelscope.cn/models/${R}/resolve/master/x.gguf`, ms(R, { file: 'x.gguf' })],
    [
      `https://www.modelscope.cn/api/v1/models/${R}/repo?Revision=v1&FilePath=x.gguf`,
      ms(R, { revision: 'v1', file: 'x.gguf' }),
    ],
    [`modelscope.cn/models/${R}:IQ4_XS`, ms(R, { quant: 'IQ4_XS' })],
    // A ModelScope-shaped URL on another host is a ModelScope-compatible endpoint.
    [`http://127.0.0.1:9000/models/${R}`, ms(R, { endpoint: 'http://127.0.0.1:9000' })],
  ])('%s', (input, want) => {
    expect(parseRepoRef(input)).toEqual(want);
  });

  it('a bare id goes to the hub the caller says', () => {
    expect(parseRepoRef(R, 'modelscope')).toEqual(ms(R));
  });

  it.each([
    '',
    'justaname',
    'a/b/c',
    '../etc/passwd',
    'owner/..',
    'owner/repo.git',
    'https://huggingface.co/',
    'https://huggingface.co/onlyowner',
    'https://huggingface.co/datasets/a/b',
    `https://huggingface.co/${R}/commits/main`,
    `https://huggingface.co/${R}/blob/main/../../x.gguf`,
    'ftp://huggingface.co/a/b',
    'file:///etc/passwd',
    'https://modelscope.cn/models/onlyowner',
    'has space/in name',
    'http://127.0.0.1:8080',
    // Names that would be folders Windows opens as devices, and revisions or files that climb or hide.
    'nul/repo',
    'owner/CON',
    `https://huggingface.co/${R}/tree/refs%2F..%2Fx`,
    `https://huggingface.co/${R}/resolve/..%2F..%2Fx/f.gguf`,
    `https://huggingface.co/${R}/resolve/main/a%5C..%5Cx.gguf`,
    `https://huggingface.co/${R}/resolve/main/C:%2Fx.gguf`,
    `https://www.modelscope.cn/api/v1/models/${R}/repo?Revision=..&FilePath=x.gguf`,
    `https://www.modelscope.cn/api/v1/models/${R}/repo?FilePath=%2Fetc%2Fx.gguf`,
    `https://www.modelscope.cn/models/${R}/resolve/master/x%00.gguf`,
  ])('rejects %j with HUB_BAD_REF', (input) => {
    let err: unknown;
    try {
      parseRepoRef(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('HUB_BAD_REF');
  });
});

describe('parseQuant', () => {
  it.each([
    ['DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf', 'Q4_K_M'],
    ['DeepSeek-R1-Distill-Qwen-7B-Q4_K.gguf', 'Q4_K'],
    ['deepseek-r1-distill-qwen-7b-q5_k_s.gguf', 'Q5_K_S'],
    ['DeepSeek-R1-0528-Qwen3-8B-UD-Q4_K_XL.gguf', 'UD-Q4_K_XL'],
    ['DeepSeek-R1-Distill-Llama-70B-IQ4_XS.gguf', 'IQ4_XS'],
    ['DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf', 'UD-IQ1_S'],
    ['model.Q8_0.gguf', 'Q8_0'],
    ['model-f16.gguf', 'F16'],
    ['model-BF16-00002-of-00004.gguf', 'BF16'],
    ['Llama-3-8B-IQ2_XXS.gguf', 'IQ2_XXS'],
    ['mmproj-model-f16.gguf', 'F16'],
    ['README.md', null],
    ['model.gguf', null],
    // Not a quant inside a word.
    ['SQ4_K_MX.gguf', null],
  ])('%s → %s', (name, want) => {
    expect(parseQuant(name)).toBe(want);
  });
});

const f = (path: string, sizeBytes = 10): RepoFile => ({ path, sizeBytes, sha256: null });

describe('groupGgufFiles', () => {
  const files = [
    f('README.md'),
    f('m-Q4_K_M.gguf', 4),
    f('m-Q8_0.gguf', 8),
    f('mmproj-m-f16.gguf', 1),
    f('UD-IQ1_S/m-UD-IQ1_S-00002-of-00003.gguf', 2),
    f('UD-IQ1_S/m-UD-IQ1_S-00001-of-00003.gguf', 1),
    f('UD-IQ1_S/m-UD-IQ1_S-00003-of-00003.gguf', 3),
    // A split set with a shard missing from the listing is not offered.
    f('Q2/m-Q2_K-00001-of-00002.gguf', 5),
  ];
  const groups = groupGgufFiles(files);

  it('one group per model, split shards in order, sizes summed, aux files flagged', () => {
    expect(groups.map((g) => [g.path, g.quant, g.sizeBytes, g.files.length, g.auxiliary])).toEqual([
      ['m-Q4_K_M.gguf', 'Q4_K_M', 4, 1, false],
      ['m-Q8_0.gguf', 'Q8_0', 8, 1, false],
      ['mmproj-m-f16.gguf', 'F16', 1, 1, true],
      ['UD-IQ1_S/m-UD-IQ1_S-00001-of-00003.gguf', 'UD-IQ1_S', 6, 3, false],
    ]);
    expect(groups[3]!.files.map((x) => x.path.slice(-20))).toEqual([
      '-00001-of-00003.gguf',
      '-00002-of-00003.gguf',
      '-00003-of-00003.gguf',
    ]);
  });

  it.each([
    ['Q4_K_M', 'm-Q4_K_M.gguf'],
    ['q8_0', 'm-Q8_0.gguf'],
    // Without the UD- prefix, as people type it.
    ['IQ1_S', 'UD-IQ1_S/m-UD-IQ1_S-00001-of-00003.gguf'],
    ['Q6_K', null],
    // The projector is never "the model".
    ['F16', null],
  ])('matchQuant(%s)', (q, want) => {
    expect(matchQuant(groups, q)?.path ?? null).toBe(want);
  });

  it('defaultGroup: Q4_K_M when there is one, the only model when alone, else none', () => {
    expect(defaultGroup(groups)?.quant).toBe('Q4_K_M');
    expect(defaultGroup(groupGgufFiles([f('only-Q8_0.gguf'), f('mmproj-f16.gguf')]))?.path).toBe('only-Q8_0.gguf');
    expect(defaultGroup(groupGgufFiles([f('a-Q2_K.gguf'), f('a-Q3_K_M.gguf')]))).toBeNull();
  });
});

describe('repoDir', () => {
  it('keeps owner/repo as two folders and refuses anything else', () => {
    expect(repoDir(R)).toBe(R);
    expect(() => repoDir('a/../b')).toThrow(AppError);
    expect(() => repoDir('..')).toThrow(AppError);
  });
});
