/**
 * LoadOptions → llama-server argv, as a table. Each row names the flags that must appear (contiguous, so a value
 * stays with its flag) and the ones that must not: the pinned llama.cpp (de3ff81) refuses --fit with an explicit
 * -ngl, needs flash attention for a quantized V cache, and reads LLAMA_ARG_* from the environment.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { defaultLoadOptions, type LoadOptions } from '../../../shared/schemas';
import type { BackendCapabilities } from '../backend';
import {
  backendEnv,
  buildLlamaServerArgs,
  llamaCapabilities,
  resolveParallel,
  speculativeArgs,
  type LlamaServerArgsInput,
} from './llama-args';

const KEY_FILE = '/data/run/api-key.txt';
const gpuDefaults = defaultLoadOptions().gpus;

function build(options: Partial<LoadOptions> = {}, extra: Partial<LlamaServerArgsInput> = {}): string[] {
  return buildLlamaServerArgs({
    modelPath: '/models/m.gguf',
    apiKeyFile: KEY_FILE,
    options: { ...defaultLoadOptions(), ...options },
    ...extra,
  });
}

/** True when `frag` occurs in `args` as consecutive elements. */
function hasRun(args: readonly string[], frag: readonly string[]): boolean {
  for (let i = 0; i + frag.length <= args.length; i++) if (frag.every((f, j) => args[i + j] === f)) return true;
  return false;
}

interface Row {
  name: string;
  options: Partial<LoadOptions>;
  has: string[][];
  lacks: string[];
}

const rows: Row[] = [
  {
    // The defaults must leave every decision about layers and memory to --fit (which is on by default).
    name: 'defaults: auto layers, no -ngl, no --fit override, nothing optional',
    options: {},
    has: [
      ['-c', '8192'],
      // Parallel auto: 8192 / 2048 = 4 slots sharing one KV pool, and prompt reuse across turns.
      ['-np', '4'],
      ['-kvu'],
      ['--cache-reuse', '256'],
      ['-fa', 'auto'],
      ['--reasoning-format', 'auto'],
      ['--no-ui'],
      ['--metrics'],
      ['--log-colors', 'off'],
    ],
    lacks: [
      '-ngl',
      '--fit',
      '-t',
      '-ctk',
      '-ctv',
      '-lm',
      '-a',
      '--no-mmap',
      '--mlock',
      '--spec-type',
      '-md',
      '-dev',
      '-ts',
      '-sm',
      '-b',
      '-ub',
    ],
  },
  {
    // "all" is an explicit layer count as far as --fit is concerned: it would refuse to start without --fit off.
    name: 'gpuLayers "all" → -ngl all and --fit off',
    options: { gpuLayers: 'all' },
    has: [['-ngl', 'all', '--fit', 'off']],
    lacks: [],
  },
  {
    // 0 means CPU only; a falsy check would silently drop it and let --fit put layers on the GPU.
    name: 'gpuLayers 0 (CPU only) is kept, not treated as unset',
    options: { gpuLayers: 0 },
    has: [['-ngl', '0', '--fit', 'off']],
    lacks: [],
  },
  {
    name: 'gpuLayers 33 → -ngl 33 and --fit off',
    options: { gpuLayers: 33 },
    has: [['-ngl', '33', '--fit', 'off']],
    lacks: [],
  },
  {
    // -c 0 asks llama.cpp for the model's own training context; dropping it would fall back to a built-in default.
    name: 'contextSize 0 is passed as -c 0',
    options: { contextSize: 0 },
    has: [['-c', '0']],
    lacks: [],
  },
  {
    // A set count is llama.cpp's plain -np: no -kvu, so each slot gets an equal share of the context.
    name: 'contextSize and a set parallel count pass through, without -kvu',
    options: { contextSize: 32768, parallel: 4 },
    has: [
      ['-c', '32768'],
      ['-np', '4'],
    ],
    lacks: ['-kvu'],
  },
  {
    name: 'parallel auto at 16384 tokens → 8 slots sharing one KV pool',
    options: { contextSize: 16384, parallel: 0 },
    has: [['-np', '8'], ['-kvu']],
    lacks: [],
  },
  {
    name: 'parallel auto at 2048 tokens → 1 slot (still -kvu: the flag says auto, the count is ours)',
    options: { contextSize: 2048, parallel: 0 },
    has: [['-np', '1'], ['-kvu']],
    lacks: [],
  },
  {
    // -np 0 makes llama-server exit ("invalid value for n_parallel"): auto must always name a count.
    name: "parallel auto with the model's own context (-c 0) → 4 slots, never -np 0",
    options: { contextSize: 0, parallel: 0 },
    has: [['-c', '0'], ['-np', '4'], ['-kvu']],
    lacks: [],
  },
  {
    name: 'cacheReuse 0 → no --cache-reuse',
    options: { cacheReuse: 0 },
    has: [],
    lacks: ['--cache-reuse'],
  },
  {
    name: 'cacheReuse 1024 → --cache-reuse 1024',
    options: { cacheReuse: 1024 },
    has: [['--cache-reuse', '1024']],
    lacks: [],
  },
  {
    // threads 0 = llama.cpp's own choice; "-t 0" would not mean that.
    name: 'threads 0 is omitted',
    options: { threads: 0 },
    has: [],
    lacks: ['-t'],
  },
  {
    name: 'threads 6 → -t 6',
    options: { threads: 6 },
    has: [['-t', '6']],
    lacks: [],
  },
  {
    name: 'no MoE experts in RAM by default: no -ncmoe',
    options: {},
    has: [],
    lacks: ['-ncmoe'],
  },
  {
    // --fit refuses user tensor overrides (common/fit.cpp), so an explicit expert placement turns it off.
    name: 'cpuMoeLayers 40 with auto layers → -ncmoe 40, -ngl all, --fit off',
    options: { cpuMoeLayers: 40 },
    has: [
      ['-ncmoe', '40'],
      ['-ngl', 'all'],
      ['--fit', 'off'],
    ],
    lacks: [],
  },
  {
    name: 'cpuMoeLayers 40 with 50 layers → -ncmoe 40, -ngl 50, --fit off',
    options: { cpuMoeLayers: 40, gpuLayers: 50 },
    has: [
      ['-ncmoe', '40'],
      ['-ngl', '50'],
      ['--fit', 'off'],
    ],
    lacks: [],
  },
  {
    // A quantized K cache works without flash attention; only V needs it.
    name: 'quantized K with flash attention off is allowed',
    options: { cacheTypeK: 'q8_0', flashAttention: 'off' },
    has: [
      ['-ctk', 'q8_0'],
      ['-fa', 'off'],
    ],
    lacks: ['-ctv'],
  },
  {
    name: 'quantized V with flash attention on',
    options: { cacheTypeK: 'q4_0', cacheTypeV: 'q4_0', flashAttention: 'on' },
    has: [
      ['-ctk', 'q4_0'],
      ['-ctv', 'q4_0'],
      ['-fa', 'on'],
    ],
    lacks: [],
  },
  {
    // auto may resolve to on, so the builder must not refuse it.
    name: 'quantized V with flash attention auto is allowed',
    options: { cacheTypeV: 'q8_0', flashAttention: 'auto' },
    has: [
      ['-ctv', 'q8_0'],
      ['-fa', 'auto'],
    ],
    lacks: [],
  },
  {
    // bf16 is not a quantized type, so flash attention off is fine.
    name: 'bf16 V with flash attention off is allowed',
    options: { cacheTypeV: 'bf16', flashAttention: 'off' },
    has: [['-ctv', 'bf16']],
    lacks: [],
  },
  ...(['mmap', 'mlock', 'mmap+mlock', 'none'] as const).map((mode): Row => ({
    // -lm replaced --no-mmap/--mlock in the pinned build; the old flags must never come back.
    name: `loadMode ${mode} → -lm ${mode}`,
    options: { loadMode: mode },
    has: [['-lm', mode]],
    lacks: ['--no-mmap', '--mlock'],
  })),
  {
    name: 'loadMode auto is left to llama.cpp',
    options: { loadMode: 'auto' },
    has: [],
    lacks: ['-lm'],
  },
  ...(['deepseek', 'none'] as const).map((fmt): Row => ({
    name: `reasoningFormat ${fmt}`,
    options: { reasoningFormat: fmt },
    has: [['--reasoning-format', fmt]],
    lacks: [],
  })),
  // Several GPUs (pinned common/arg.cpp: -dev, -sm, -mg, -ts; common/fit.cpp refuses a user -ts and row mode).
  {
    // A chosen set alone leaves the layers to --fit, which fits across the listed devices.
    name: 'gpus.devices → -dev in the given order, --fit left on',
    options: { gpus: { ...gpuDefaults, devices: ['CUDA2', 'CUDA0'] } },
    has: [['-dev', 'CUDA2,CUDA0']],
    lacks: ['--fit', '-ngl', '-ts', '-sm', '-mg'],
  },
  {
    name: 'gpus.devices [] → -dev none (CPU only)',
    options: { gpus: { ...gpuDefaults, devices: [] } },
    has: [['-dev', 'none']],
    lacks: ['--fit', '-ts'],
  },
  {
    // One GPU: --fit handles it (it refuses only with two or more devices in the model).
    name: 'split mode none + main GPU 1 → -sm none -mg 1, --fit left on',
    options: { gpus: { ...gpuDefaults, splitMode: 'none', mainGpu: 1 } },
    has: [
      ['-sm', 'none'],
      ['-mg', '1'],
    ],
    lacks: ['--fit', '-ts'],
  },
  {
    name: 'a tensor split (whole layers) → -ts 33,16 with -ngl all --fit off',
    options: { gpus: { ...gpuDefaults, tensorSplit: [33, 16] } },
    has: [
      ['-ngl', 'all', '--fit', 'off'],
      ['-ts', '33,16'],
    ],
    lacks: [],
  },
  {
    name: 'a fractional split is written with three decimals',
    options: { gpus: { ...gpuDefaults, tensorSplit: [2 / 3, 1 / 3] } },
    has: [['-ts', '0.667,0.333']],
    lacks: [],
  },
  {
    // Fewer layers than all (our plan when the model does not fit the GPUs): the count, once, with the split.
    name: 'a tensor split with 40 layers → -ngl 40 --fit off -ts …',
    options: { gpuLayers: 40, gpus: { ...gpuDefaults, tensorSplit: [25, 15] } },
    has: [
      ['-ngl', '40', '--fit', 'off'],
      ['-ts', '25,15'],
    ],
    lacks: [],
  },
  {
    // MoE with several GPUs: experts in RAM and our split need one --fit off between them.
    name: 'a tensor split with -ncmoe → one -ngl all --fit off',
    options: { cpuMoeLayers: 12, gpus: { ...gpuDefaults, devices: ['CUDA0', 'CUDA1'], tensorSplit: [40, 22] } },
    has: [
      ['-ngl', 'all', '--fit', 'off'],
      ['-ncmoe', '12'],
      ['-dev', 'CUDA0,CUDA1'],
      ['-ts', '40,22'],
    ],
    lacks: [],
  },
  {
    name: 'row split → -sm row with -ngl all --fit off',
    options: { gpus: { ...gpuDefaults, splitMode: 'row' } },
    has: [
      ['-sm', 'row'],
      ['-ngl', 'all', '--fit', 'off'],
    ],
    lacks: [],
  },
];

describe('buildLlamaServerArgs', () => {
  it.each(rows)('$name', ({ options, has, lacks }) => {
    const args = build(options);
    for (const frag of has) expect(hasRun(args, frag), `missing ${frag.join(' ')} in ${args.join(' ')}`).toBe(true);
    for (const flag of lacks) expect(args, `unexpected ${flag}`).not.toContain(flag);
    // Every flag appears once: a duplicate would mean two code paths disagree about the same setting.
    const flags = args.filter((a) => a.startsWith('-'));
    expect(new Set(flags).size).toBe(flags.length);
  });

  it.each([
    { cacheTypeV: 'q8_0', cacheTypeK: 'f16' },
    { cacheTypeV: 'q4_0', cacheTypeK: 'q4_0' },
  ] as const)('refuses a quantized V cache ($cacheTypeV) with flash attention off, as INVALID_PARAMS', (o) => {
    // llama.cpp would fail at context creation with a message the user cannot act on; we say why up front.
    let err: unknown;
    try {
      build({ ...o, flashAttention: 'off' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_PARAMS');
    expect(String((err as AppError).params?.issues)).toMatch(/flash attention/);
  });

  it('passes the API key as a file, never on the command line (argv is visible to every local user)', () => {
    const args = build();
    expect(hasRun(args, ['--api-key-file', KEY_FILE])).toBe(true);
    expect(args).not.toContain('--api-key');
  });

  it('binds to loopback on an OS-chosen port unless told otherwise', () => {
    // --port 0 lets the OS pick a free port; a fixed default would collide with a second instance.
    expect(hasRun(build(), ['--host', '127.0.0.1'])).toBe(true);
    expect(hasRun(build(), ['--port', '0'])).toBe(true);
    const custom = build({}, { host: '::1', port: 18080, alias: 'deepseek-r1' });
    expect(hasRun(custom, ['--host', '::1'])).toBe(true);
    expect(hasRun(custom, ['--port', '18080'])).toBe(true);
    expect(hasRun(custom, ['-a', 'deepseek-r1'])).toBe(true);
  });

  it('keeps a model path with spaces and non-ASCII as one argv element (no shell quoting involved)', () => {
    const p = 'C:\\Users\\张 三\\My Models\\DeepSeek R1.gguf';
    const args = build({}, { modelPath: p });
    expect(hasRun(args, ['-m', p])).toBe(true);
  });
});

describe('resolveParallel (auto: one slot per 2048 tokens of context, 1 to 8; see shared/parallel-slots.ts)', () => {
  it.each<[Pick<LoadOptions, 'parallel' | 'contextSize'>, number]>([
    [{ parallel: 0, contextSize: 512 }, 1],
    [{ parallel: 0, contextSize: 2048 }, 1],
    [{ parallel: 0, contextSize: 4096 }, 2],
    [{ parallel: 0, contextSize: 6000 }, 2],
    [{ parallel: 0, contextSize: 8192 }, 4],
    [{ parallel: 0, contextSize: 12288 }, 6],
    [{ parallel: 0, contextSize: 16384 }, 8],
    [{ parallel: 0, contextSize: 131072 }, 8],
    // The model's own context is not known here: the default context's count.
    [{ parallel: 0, contextSize: 0 }, 4],
    // A set count is kept, whatever the context.
    [{ parallel: 1, contextSize: 131072 }, 1],
    [{ parallel: 16, contextSize: 2048 }, 16],
  ])('%o → %i', (o, want) => {
    expect(resolveParallel(o)).toBe(want);
  });
});

describe('llamaCapabilities', () => {
  const BASE = 'http://127.0.0.1:4000';
  const ours: BackendCapabilities = {
    reasoning: 'separate',
    speculative: null,
    metrics: { url: `${BASE}/metrics`, dialect: 'llamacpp' },
    slotsUrl: `${BASE}/slots`,
    embeddings: false,
  };
  it.each<{ name: string; args: string[]; want: BackendCapabilities }>([
    // What we start today: telemetry reads /metrics and /slots; /v1/embeddings would be refused (no --embeddings).
    { name: 'our argv with default options', args: build(), want: ours },
    // R1's thinking then stays in the content as <think>…</think>: the chat view must not expect reasoning_content.
    {
      name: "reasoning format 'none'",
      args: build({ reasoningFormat: 'none' }),
      want: { ...ours, reasoning: 'inline' },
    },
    { name: "reasoning format 'deepseek'", args: build({ reasoningFormat: 'deepseek' }), want: ours },
    // Without --metrics llama-server answers /metrics with 501: no URL rather than a poll that always fails.
    { name: 'no --metrics', args: build().filter((a) => a !== '--metrics'), want: { ...ours, metrics: null } },
    // The pinned build serves /slots unless told not to; --no-slots must take the URL away.
    { name: '--no-slots', args: [...build(), '--no-slots'], want: { ...ours, slotsUrl: null } },
    // A draft model alone never drafts (--spec-type defaults to none): only the type says speculation is on.
    { name: '-md without --spec-type', args: [...build(), '-md', '/m/draft.gguf'], want: ours },
    {
      name: '--spec-type draft-simple',
      args: [...build(), '-md', '/m/draft.gguf', '--spec-type', 'draft-simple'],
      want: { ...ours, speculative: 'draft-simple' },
    },
    { name: '--spec-type none', args: [...build(), '--spec-type', 'none'], want: ours },
    { name: '--embeddings', args: [...build(), '--embeddings'], want: { ...ours, embeddings: true } },
  ])('$name', ({ args, want }) => {
    expect(llamaCapabilities(args, BASE)).toEqual(want);
  });
});

describe('backendEnv', () => {
  it('strips LLAMA_ARG_* and LLAMA_API_KEY so only our settings decide how llama-server runs', () => {
    const env = backendEnv({
      PATH: '/usr/bin',
      HOME: '/home/u',
      CUDA_VISIBLE_DEVICES: '0',
      LLAMA_ARG_CTX_SIZE: '999999',
      LLAMA_ARG_N_GPU_LAYERS: '99',
      LLAMA_ARG_API_KEY_FILE: '/tmp/other-key',
      LLAMA_ARG_HOST: '0.0.0.0',
      LLAMA_API_KEY: 'leaked',
      // Not an argument variable: the model cache directory is fine to pass on.
      LLAMA_CACHE: '/cache',
    });
    expect(Object.keys(env).filter((k) => k.startsWith('LLAMA_ARG_'))).toEqual([]);
    expect(env.LLAMA_API_KEY).toBeUndefined();
    // GPU selection and PATH must survive: stripping too much would break CUDA or the loader.
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/u', CUDA_VISIBLE_DEVICES: '0', LLAMA_CACHE: '/cache' });
  });

  it('does not modify the environment it was given', () => {
    const input = { LLAMA_ARG_PORT: '1', PATH: '/bin' };
    backendEnv(input);
    expect(input).toEqual({ LLAMA_ARG_PORT: '1', PATH: '/bin' });
  });
});

describe('speculativeArgs (pinned common/arg.cpp: --spec-type defaults to none, --draft* removed)', () => {
  const spec = (s: Partial<LoadOptions['speculative']>): LoadOptions => ({
    ...defaultLoadOptions(),
    speculative: { ...defaultLoadOptions().speculative, ...s },
  });
  const REMOVED = ['--draft', '--draft-n', '--draft-max', '--draft-min', '--draft-n-min'];
  it.each<{ name: string; o: LoadOptions; want: string[] }>([
    { name: 'off → nothing', o: spec({ mode: 'off', draftModel: '/m/d.gguf' }), want: [] },
    {
      // -md alone never drafts: the type must be named.
      name: 'draft → -md, draft-simple, n-max/n-min, p-min',
      o: spec({ mode: 'draft', draftModel: '/m/d.gguf' }),
      want: [
        '-md',
        '/m/d.gguf',
        '--spec-type',
        'draft-simple',
        '--spec-draft-n-max',
        '16',
        '--spec-draft-n-min',
        '0',
        '--spec-draft-p-min',
        '0.75',
      ],
    },
    {
      name: 'draft: n-min is capped at n-max, -ngld when set',
      o: spec({
        mode: 'draft',
        draftModel: '/m/d.gguf',
        draftMax: 4,
        draftMin: 9,
        draftPMin: 0.5,
        draftGpuLayers: 'all',
      }),
      want: [
        '-md',
        '/m/d.gguf',
        '--spec-type',
        'draft-simple',
        '--spec-draft-n-max',
        '4',
        '--spec-draft-n-min',
        '4',
        '--spec-draft-p-min',
        '0.5',
        '-ngld',
        'all',
      ],
    },
    {
      name: 'mtp → draft-mtp with n-max/n-min (no -md: the heads are in the model)',
      o: spec({ mode: 'mtp', draftMax: 3 }),
      want: ['--spec-type', 'draft-mtp', '--spec-draft-n-max', '3', '--spec-draft-n-min', '0'],
    },
    // The n-gram types ignore --spec-draft-n-*; each has its own tuned sizes, so only the type is passed.
    ...(['ngram-simple', 'ngram-map-k', 'ngram-map-k4v', 'ngram-mod', 'ngram-cache'] as const).map((ngram) => ({
      name: `ngram ${ngram} → --spec-type ${ngram} only`,
      o: spec({ mode: 'ngram', ngram, draftModel: '/m/ignored.gguf' }),
      want: ['--spec-type', ngram],
    })),
  ])('$name', ({ o, want }) => {
    expect(speculativeArgs(o)).toEqual(want);
    const args = buildLlamaServerArgs({ modelPath: '/models/m.gguf', apiKeyFile: KEY_FILE, options: o });
    if (want.length) expect(hasRun(args, want)).toBe(true);
    for (const f of REMOVED) expect(args).not.toContain(f);
  });

  it('draft mode without a file is DRAFT_REQUIRED', () => {
    expect(() => speculativeArgs(spec({ mode: 'draft', draftModel: null }))).toThrow(
      expect.objectContaining({ code: 'DRAFT_REQUIRED' }),
    );
  });
});
