import { describe, expect, it } from 'vitest';
import type { DownloadJob, LibraryModel, VllmCatalogEntry } from '@shared/models';
import { installedSnapshot, snapshotJob, snapshotRequest, snapshotsOf } from './vllm-catalog';

const entry: VllmCatalogEntry = {
  id: 'r1-qwen-7b-awq',
  name: 'DeepSeek R1 Distill Qwen 7B (AWQ)',
  family: 'r1-distill',
  repo: 'casperhansen/deepseek-r1-distill-qwen-7b-awq',
  revision: 'main',
  quantization: 'awq',
  bits: 4,
  sizeBytes: 5_000_000_000,
  parameters: 7.6e9,
  contextLength: 131072,
  license: 'mit',
  baseCatalogId: null,
  description: '',
  descriptionI18n: {},
};

const lib = (o: Partial<LibraryModel>): LibraryModel => ({
  id: 'x',
  path: '/models/x',
  name: 'x',
  architecture: null,
  quantization: null,
  sizeBytes: 1,
  contextLength: null,
  parameterCount: null,
  splitCount: 1,
  source: 'models-folder',
  repo: null,
  sha256: null,
  catalogId: null,
  addedAt: 1,
  error: null,
  provenance: null,
  ...o,
});

const job = (o: Partial<DownloadJob>): DownloadJob => ({
  id: 'j',
  createdAt: 1,
  updatedAt: 1,
  hub: 'huggingface',
  repo: entry.repo,
  revision: 'main',
  catalogId: null,
  name: 'n',
  quant: null,
  state: 'downloading',
  endpoint: null,
  files: [],
  totalBytes: 10,
  receivedBytes: 1,
  bytesPerSecond: 0,
  etaSeconds: null,
  targetPath: '/models/snap',
  error: null,
  format: 'safetensors',
  ...o,
});

describe('snapshotsOf', () => {
  it('only readable safetensors folders, by name', () => {
    const l = [
      lib({ path: '/m/a.gguf', name: 'a' }),
      lib({ path: '/m/z', name: 'Zeta', format: 'safetensors' }),
      lib({ path: '/m/b', name: 'Beta', format: 'safetensors' }),
      lib({ path: '/m/bad', name: 'Bad', format: 'safetensors', error: { code: 'VLLM_BAD_MODEL', message: '' } }),
    ];
    expect(snapshotsOf(l)).toEqual([
      { path: '/m/b', name: 'Beta' },
      { path: '/m/z', name: 'Zeta' },
    ]);
    expect(snapshotsOf(undefined)).toEqual([]);
  });
});

describe('installedSnapshot', () => {
  it.each([
    ['by catalog id', lib({ format: 'safetensors', catalogId: entry.id }), true],
    ['by repo, any case', lib({ format: 'safetensors', repo: 'CasperHansen/DeepSeek-R1-Distill-Qwen-7B-AWQ' }), true],
    ['not a GGUF of the same repo', lib({ repo: entry.repo }), false],
    [
      'not an unreadable one',
      lib({ format: 'safetensors', repo: entry.repo, error: { code: 'VLLM_BAD_MODEL', message: '' } }),
      false,
    ],
    ['not another repo', lib({ format: 'safetensors', repo: 'someone/else' }), false],
  ])('%s', (_n, m, want) => {
    expect(installedSnapshot([m], entry) !== undefined).toBe(want);
  });
});

describe('snapshotJob', () => {
  it('the newest snapshot job of the repo that is not cancelled', () => {
    const jobs = [
      job({ id: 'old', createdAt: 1 }),
      job({ id: 'new', createdAt: 3 }),
      job({ id: 'cancelled', createdAt: 4, state: 'cancelled' }),
      job({ id: 'gguf', createdAt: 5, format: undefined }),
      job({ id: 'other', createdAt: 6, repo: 'a/b' }),
    ];
    expect(snapshotJob(jobs, entry)?.id).toBe('new');
    expect(snapshotJob([], entry)).toBeUndefined();
  });
  it('asks for the repo as a snapshot', () => {
    expect(snapshotRequest(entry)).toEqual({ snapshot: entry.repo });
  });
});
