/**
 * The several-GPU planner as tables over two- and three-GPU profiles (gpu-split-fixtures.ts). Each case says why it
 * matters: a split that overflows one card is an out-of-memory load; a -ts that does not index the -dev list puts
 * layers on the wrong card; a missing --fit off makes llama.cpp ignore the plan.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { defaultLoadOptions, type LoadOptions } from '../../shared/schemas';
import type { BackendDevice } from '../../shared/telemetry';
import { apportion, layersForSplit, planGpuSplit, SPLIT_MARGIN_BYTES, type SplitModel } from './gpu-split';
import { chooseDevices, defaultDevices } from './gpu-split-devices';
import { llamaArgv } from '../compose/gpus';
import { parseListDevices } from '../gpu-tools/list-devices';
import { catalogModel, LIST_DEVICES, uniformModel } from './gpu-split-fixtures';

const listed = (text: string) => parseListDevices(text)!;
const TWO_CUDA_IGPU = listed(LIST_DEVICES.TWO_CUDA_IGPU);
const THREE_CUDA = listed(LIST_DEVICES.THREE_CUDA);
const CUDA_AND_VULKAN_TWINS = listed(LIST_DEVICES.CUDA_AND_VULKAN_TWINS);
const TWO_LAVAPIPE = listed(LIST_DEVICES.TWO_LAVAPIPE);
const TWO_SYCL = listed(LIST_DEVICES.TWO_SYCL);
const BIG_AND_TINY = listed(LIST_DEVICES.BIG_AND_TINY);

const MiB = 1024 * 1024;

function opts(o: Partial<LoadOptions> = {}, gpus: Partial<LoadOptions['gpus']> = {}): LoadOptions {
  const d = defaultLoadOptions();
  return { ...d, ...o, gpus: { ...d.gpus, ...gpus } };
}

function plan(devices: BackendDevice[], model: SplitModel, o: LoadOptions = opts()) {
  return planGpuSplit({ devices, model, options: o, argv: llamaArgv });
}

function codeOf(f: () => unknown): { code: string; params: unknown } {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, params: e.params };
    throw e;
  }
  throw new Error('did not throw');
}

/** -ts as numbers, from the args the plan passes. */
const tsOf = (args: string[]) => args[args.indexOf('-ts') + 1]!.split(',').map(Number);

describe('apportion and llama.cpp placement', () => {
  it.each([
    // [positions, weights, want, why]
    [5, [1, 1], [3, 2], 'a tie goes to the earlier device (the output layer lands on the last)'],
    [49, [23521, 11655], [33, 16], 'RTX 3090 + 3060 by free memory'],
    [3, [1, 1, 1, 1], [1, 1, 1, 0], 'more devices than layers: the last gets none'],
    [4, [0, 0], [2, 2], 'no memory known anywhere: equal shares'],
  ])('%i layers over %j → %j (%s)', (n, w, want) => {
    expect(apportion(n, w)).toEqual(want);
    expect(apportion(n, w).reduce((a, b) => a + b, 0)).toBe(n);
  });

  it.each([
    // Seen on two lavapipe devices with -ts 1,1 and a 4-layer model: 3 layers on Vulkan0, 1 + output on Vulkan1.
    [5, [1, 1], [3, 2]],
    // Whole-layer splits are placed exactly as given: that is why our -ts is in layers.
    [49, [33, 16], [33, 16]],
    [81, [40, 21, 20], [40, 21, 20]],
    [4, [1, 1], [2, 2]],
  ])('llama.cpp puts %i positions with -ts %j as %j', (n, split, want) => {
    expect(layersForSplit(n, split)).toEqual(want);
  });
});

describe('which devices a load uses', () => {
  it('by default: every discrete GPU once (the iGPU and a Vulkan twin of a CUDA card are left out)', () => {
    expect(defaultDevices(TWO_CUDA_IGPU).map((d) => d.name)).toEqual(['CUDA0', 'CUDA1']);
    expect(defaultDevices(CUDA_AND_VULKAN_TWINS).map((d) => d.name)).toEqual(['CUDA0', 'CUDA1']);
    expect(defaultDevices(TWO_LAVAPIPE).map((d) => d.name)).toEqual(['Vulkan0', 'Vulkan1']);
  });

  it.each<[string, BackendDevice[], Partial<LoadOptions['gpus']>, string, Record<string, unknown>]>([
    // A typo or a card that went away must fail before a 20 GB load starts, naming what exists.
    [
      'a device name the runtime does not list',
      THREE_CUDA,
      { devices: ['CUDA0', 'CUDA7'] },
      'GPU_DEVICE_NOT_FOUND',
      { device: 'CUDA7', available: 'CUDA0, CUDA1, CUDA2' },
    ],
    [
      'a GPU of another backend',
      TWO_LAVAPIPE,
      { devices: ['CUDA0'] },
      'GPU_DEVICE_NOT_FOUND',
      { device: 'CUDA0', available: 'Vulkan0, Vulkan1' },
    ],
    [
      'a main GPU index past the used GPUs',
      THREE_CUDA,
      { devices: ['CUDA0', 'CUDA2'], mainGpu: 2 },
      'GPU_DEVICE_NOT_FOUND',
      { device: '#2', available: 'CUDA0, CUDA2' },
    ],
    [
      'a device named on a machine whose runtime lists none',
      [],
      { devices: ['Vulkan0'] },
      'GPU_DEVICE_NOT_FOUND',
      { device: 'Vulkan0', available: '—' },
    ],
    [
      'a tensor split of another length',
      THREE_CUDA,
      { tensorSplit: [1, 1] },
      'INVALID_PARAMS',
      { issues: expect.stringMatching(/2 values for 3 GPUs/) },
    ],
    [
      'a tensor split of zeros',
      TWO_LAVAPIPE,
      { tensorSplit: [0, 0] },
      'INVALID_PARAMS',
      { issues: expect.stringMatching(/every GPU 0/) },
    ],
    // At the pinned release only SYCL registers split buffers; CUDA and Vulkan fail the load ("does not support
    // split buffers"), so row mode is refused up front.
    ['row split on CUDA', THREE_CUDA, { splitMode: 'row' }, 'UNSUPPORTED', { what: expect.stringMatching(/SYCL/) }],
    [
      'row split on Vulkan',
      TWO_LAVAPIPE,
      { splitMode: 'row' },
      'UNSUPPORTED',
      { what: expect.stringMatching(/Vulkan0, Vulkan1/) },
    ],
  ])('refuses %s', (_why, devices, gpus, code, params) => {
    const err = codeOf(() => chooseDevices(devices, opts({}, gpus).gpus));
    expect(err.code).toBe(code);
    expect(err.params).toEqual(params);
    // The planner says the same (backend.plan shows it on the Model page before Start).
    expect(codeOf(() => plan(devices, uniformModel(4, 100), opts({}, gpus))).code).toBe(code);
  });

  it('says it in Chinese too', () => {
    const err = codeOf(() => chooseDevices(TWO_LAVAPIPE, opts({}, { splitMode: 'row' }).gpus, 'zh-CN'));
    expect(err.params).toEqual({ what: expect.stringMatching(/按行拆分/) });
  });
});

describe('two or more GPUs: our split', () => {
  it('two lavapipe devices, 4 layers: 3 + (1 + output), as llama.cpp placed them with -ts 1,1', () => {
    const { plan: p, run } = plan(TWO_LAVAPIPE, uniformModel(4, 2));
    expect(p.devices.map((d) => [d.name, d.used, d.layers])).toEqual([
      ['Vulkan0', true, 3],
      ['Vulkan1', true, 1],
    ]);
    expect(p.tensorSplit).toEqual([3, 2]);
    expect(p.cpuLayers).toBe(0);
    expect(p.fitOff).toBe(true);
    expect(p.args).toEqual(['-ngl', 'all', '--fit', 'off', '-dev', 'Vulkan0,Vulkan1', '-ts', '3,2']);
    expect(run.gpus).toMatchObject({ devices: ['Vulkan0', 'Vulkan1'], tensorSplit: [3, 2] });
    expect(run.gpuLayers).toBe('auto');
    expect(p.devices.map((d) => d.share)).toEqual([0.75, 0.25]);
  });

  it('RTX 3090 + 3060 (+ iGPU): layers in proportion to free memory, the iGPU unused and not in -dev', () => {
    const m = catalogModel('deepseek-r1-distill-qwen-14b', 'Q4_K_M');
    const { plan: p } = plan(TWO_CUDA_IGPU, m);
    const [a, b, igpu] = p.devices;
    expect(igpu).toMatchObject({ name: 'Vulkan0', used: false, layers: 0, bytes: 0 });
    expect(p.args).toContain('CUDA0,CUDA1');
    const ts = tsOf(p.args);
    expect(ts.reduce((x, y) => x + y, 0)).toBe(49);
    // 23521 : 11655 MiB free → 32.7 : 16.3 of 49 positions.
    expect(ts).toEqual([33, 16]);
    expect(a!.layers + b!.layers).toBe(48);
    expect(p.cpuLayers).toBe(0);
    for (const d of [a!, b!]) expect(d.bytes).toBeLessThanOrEqual(d.freeBytes - SPLIT_MARGIN_BYTES);
  });

  it('three cards with different free memory: shares follow free memory', () => {
    const m = catalogModel('deepseek-r1-distill-qwen-32b', 'Q4_K_M');
    const { plan: p } = plan(THREE_CUDA, m);
    const ts = tsOf(p.args);
    expect(ts).toEqual(apportion(65, [22036, 11820, 11655]));
    expect(p.devices.every((d) => d.used && d.layers > 0)).toBe(true);
    expect(p.devices[0]!.share).toBeGreaterThan(p.devices[1]!.share);
  });

  it('a GPU the user excluded gets nothing and is not passed; the split is over the others', () => {
    const m = catalogModel('deepseek-r1-distill-qwen-32b', 'Q4_K_M');
    const { plan: p, run } = plan(THREE_CUDA, m, opts({}, { devices: ['CUDA0', 'CUDA2'] }));
    expect(p.devices.map((d) => [d.name, d.used, d.layers > 0])).toEqual([
      ['CUDA0', true, true],
      ['CUDA1', false, false],
      ['CUDA2', true, true],
    ]);
    expect(p.args).toEqual(expect.arrayContaining(['-dev', 'CUDA0,CUDA2']));
    expect(tsOf(p.args)).toHaveLength(2);
    expect(run.gpus.devices).toEqual(['CUDA0', 'CUDA2']);
  });

  it('does not all fit: whole layers go to the CPU, each card within free memory minus the margin', () => {
    const m = catalogModel('deepseek-r1-distill-llama-70b', 'Q4_K_M');
    const { plan: p, run } = plan(TWO_CUDA_IGPU, m);
    expect(p.cpuLayers).toBeGreaterThan(0);
    expect(typeof run.gpuLayers).toBe('number');
    expect(p.args).toEqual(expect.arrayContaining(['-ngl', String(run.gpuLayers), '--fit', 'off']));
    expect(tsOf(p.args).reduce((a, b) => a + b, 0)).toBe(run.gpuLayers);
    for (const d of p.devices.filter((x) => x.used))
      expect(d.bytes).toBeLessThanOrEqual(d.freeBytes - SPLIT_MARGIN_BYTES);
    // One layer more would not fit: the plan uses the cards, it does not leave half of them empty.
    const more = opts({ gpuLayers: (run.gpuLayers as number) + 1 });
    const { plan: over } = plan(TWO_CUDA_IGPU, m, more);
    expect(over.devices.some((d) => d.used && d.bytes > d.freeBytes - SPLIT_MARGIN_BYTES)).toBe(true);
  });

  it('a proportional share that would overflow the smaller card moves layers to the one with room', () => {
    // 22 GB free vs 10.6 GB free but the second has a 1 GiB margin too: 40 × 600 MiB layers = 23.4 GiB.
    const { plan: p } = plan(BIG_AND_TINY, uniformModel(40, 600));
    const [big, tiny] = p.devices;
    // The GT 1030 (76 MiB after the margin) holds no 600 MiB layer: it drops out, and one GPU left means no -ts.
    expect(tiny).toMatchObject({ used: false, layers: 0 });
    expect(big!.layers).toBeGreaterThan(0);
    expect(p.args).not.toContain('-ts');
  });

  it('MoE on three cards: experts of the first layers stay in RAM (-ncmoe) and every layer stays on the GPUs', () => {
    // R1-0528 with MLA: a small KV cache, 185 GB of which ~180 GB experts (about 3 GB per layer).
    const m = catalogModel('deepseek-r1-0528', 'UD-IQ1_S');
    const { plan: p, run } = plan(THREE_CUDA, m);
    expect(run.cpuMoeLayers).toBeGreaterThan(0);
    expect(run.cpuMoeLayers).toBeLessThan(61);
    expect(p.cpuLayers).toBe(0);
    expect(p.args).toEqual(expect.arrayContaining(['-ngl', 'all', '--fit', 'off', '-ncmoe', String(run.cpuMoeLayers)]));
    expect(tsOf(p.args).reduce((a, b) => a + b, 0)).toBe(62);
    for (const d of p.devices) expect(d.bytes).toBeLessThanOrEqual(d.freeBytes - SPLIT_MARGIN_BYTES);
    // The fewest: one expert layer fewer in RAM would overflow a card.
    const fewer = plan(THREE_CUDA, m, opts({ cpuMoeLayers: run.cpuMoeLayers - 1, gpuLayers: 'all' })).plan;
    expect(fewer.devices.some((d) => d.bytes > d.freeBytes - SPLIT_MARGIN_BYTES)).toBe(true);
  });

  it("MoE with the user's own -ncmoe: kept, and the split planned around it", () => {
    const m = catalogModel('deepseek-r1-0528', 'UD-IQ1_S');
    const { plan: p, run } = plan(THREE_CUDA, m, opts({ cpuMoeLayers: 61 }));
    expect(run.cpuMoeLayers).toBe(61);
    expect(p.args).toEqual(expect.arrayContaining(['-ncmoe', '61', '-ts']));
  });

  it('an explicit layer count stands; only where the layers go is ours', () => {
    const m = catalogModel('deepseek-r1-distill-qwen-14b', 'Q4_K_M');
    const { plan: p, run } = plan(TWO_CUDA_IGPU, m, opts({ gpuLayers: 20 }));
    expect(run.gpuLayers).toBe(20);
    expect(tsOf(p.args).reduce((a, b) => a + b, 0)).toBe(20);
    // -ngl counts the output layer as one of the 49: 19 blocks + output on the GPUs, 29 blocks on the CPU.
    expect(p.cpuLayers).toBe(48 - 19);
    expect(p.args).toEqual(expect.arrayContaining(['-ngl', '20', '--fit', 'off']));
  });

  it('row split on SYCL: the split gives each card its rows, --fit off', () => {
    const m = catalogModel('deepseek-r1-distill-qwen-14b', 'Q4_K_M');
    const { plan: p } = plan(TWO_SYCL, m, opts({}, { splitMode: 'row' }));
    expect(p.args).toEqual(expect.arrayContaining(['-sm', 'row', '--fit', 'off', '-ts']));
    expect(p.splitMode).toBe('row');
    // Equal cards: equal bytes within a layer's KV.
    const [a, b] = p.devices;
    expect(Math.abs(a!.bytes - b!.bytes)).toBeLessThan(0.1 * a!.bytes);
  });

  it("the user's own split stands: run unchanged, the plan shows where llama.cpp will put the layers", () => {
    const o = opts({}, { tensorSplit: [1, 1] });
    const { plan: p, run } = plan(TWO_LAVAPIPE, uniformModel(4, 2), o);
    expect(run).toBe(o);
    expect(p.tensorSplit).toEqual([1, 1]);
    expect(p.devices.map((d) => d.layers)).toEqual([3, 1]);
    expect(p.args).toEqual(['-ngl', 'all', '--fit', 'off', '-ts', '1,1']);
  });

  it('the main GPU stays an index into the devices passed', () => {
    const m = catalogModel('deepseek-r1-distill-qwen-32b', 'Q4_K_M');
    const { plan: p, run } = plan(THREE_CUDA, m, opts({}, { devices: ['CUDA2', 'CUDA0'], mainGpu: 1 }));
    expect(run.gpus.devices).toEqual(['CUDA2', 'CUDA0']);
    expect(p.args).toEqual(expect.arrayContaining(['-dev', 'CUDA2,CUDA0', '-mg', '1']));
    expect(p.mainGpu).toBe(1);
  });
});

describe('one GPU or none: llama.cpp fits', () => {
  it('one device: no -ts, --fit left on, options unchanged', () => {
    const one = TWO_LAVAPIPE.slice(0, 1);
    const o = opts();
    const { plan: p, run } = plan(one, uniformModel(4, 2), o);
    expect(run).toBe(o);
    expect(p.tensorSplit).toBeNull();
    expect(p.fitOff).toBe(false);
    expect(p.args).toEqual([]);
    expect(p.devices[0]).toMatchObject({ used: true, layers: 4, share: 1 });
  });

  it('one of two chosen: -dev names it, still no -ts', () => {
    const { plan: p, run } = plan(TWO_LAVAPIPE, uniformModel(4, 2), opts({}, { devices: ['Vulkan1'] }));
    expect(p.args).toEqual(['-dev', 'Vulkan1']);
    expect(run.gpus.tensorSplit).toBeNull();
    expect(p.devices.map((d) => d.used)).toEqual([false, true]);
  });

  it('split mode none: only the main GPU', () => {
    const { plan: p } = plan(TWO_LAVAPIPE, uniformModel(4, 2), opts({}, { splitMode: 'none', mainGpu: 1 }));
    expect(p.args).toEqual(['-sm', 'none', '-mg', '1']);
    expect(p.devices.map((d) => [d.used, d.layers])).toEqual([
      [false, 0],
      [true, 4],
    ]);
  });

  it('no GPU chosen (-dev none): every layer on the CPU', () => {
    const { plan: p } = plan(TWO_LAVAPIPE, uniformModel(4, 2), opts({}, { devices: [] }));
    expect(p.args).toEqual(['-dev', 'none']);
    expect(p.cpuLayers).toBe(4);
    expect(p.devices.every((d) => !d.used && d.layers === 0)).toBe(true);
  });

  it('a runtime that lists no GPU: a CPU plan, no flags', () => {
    const { plan: p } = plan([], uniformModel(4, 2));
    expect(p).toMatchObject({ devices: [], cpuLayers: 4, args: [], tensorSplit: null });
  });

  it('bytes count the KV cache of the layers on each device (context 0 = the model’s own)', () => {
    const m = uniformModel(4, 2);
    const small = plan(TWO_LAVAPIPE, m, opts({ contextSize: 1024 })).plan;
    const big = plan(TWO_LAVAPIPE, m, opts({ contextSize: 0 })).plan;
    expect(big.devices[0]!.bytes).toBeGreaterThan(small.devices[0]!.bytes);
    expect(small.devices[0]!.bytes).toBeGreaterThan(3 * 2 * MiB);
  });
});
