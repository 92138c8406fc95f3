/**
 * backend.start's GPU step and backend.plan over fixed device lists (the real two-Vulkan run is
 * models/gpu-split.int.test.ts). What matters: a wrong device fails before the model is read or anything starts,
 * and only two or more used GPUs without a split of the user's get ours.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { defaultLoadOptions, type LoadOptions, type ModelFileInfo } from '../../shared/schemas';
import type { BackendDevice } from '../../shared/telemetry';
import { parseListDevices } from '../gpu-tools/list-devices';
import { LIST_DEVICES, uniformModel } from '../models/gpu-split-fixtures';
import { createGpus } from './gpus';

const THREE_CUDA = parseListDevices(LIST_DEVICES.THREE_CUDA)!;
const TWO_LAVAPIPE = parseListDevices(LIST_DEVICES.TWO_LAVAPIPE)!;
const model = { path: '/models/m.gguf' } as ModelFileInfo;

function feature(devices: BackendDevice[]) {
  const reads: string[] = [];
  const f = createGpus({
    devices: async () => devices,
    savedOptions: async () => defaultLoadOptions(),
    language: async () => 'en',
    readModel: async (file) => {
      reads.push(file);
      return uniformModel(4, 2);
    },
  });
  return { f, reads };
}

const withGpus = (gpus: Partial<LoadOptions['gpus']>, o: Partial<LoadOptions> = {}): LoadOptions => {
  const d = defaultLoadOptions();
  return { ...d, ...o, gpus: { ...d.gpus, ...gpus } };
};

describe('the GPU start step', () => {
  it('refuses a device the runtime does not list, before reading the model', async () => {
    const { f, reads } = feature(TWO_LAVAPIPE);
    const err = await f.startStep({ model, options: withGpus({ devices: ['Vulkan2'] }), explicit: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('GPU_DEVICE_NOT_FOUND');
    expect((err as AppError).params).toEqual({ device: 'Vulkan2', available: 'Vulkan0, Vulkan1' });
    expect(reads).toEqual([]);
  });

  it('two GPUs with RPC workers: placement left to llama.cpp (our -dev would leave the workers out)', async () => {
    const { f, reads } = feature(TWO_LAVAPIPE);
    const options = { ...defaultLoadOptions(), rpcServers: ['10.0.0.2:50052'] };
    expect(await f.startStep({ model, options, explicit: {} })).toBe(options);
    expect(reads).toEqual([]);
  });

  it('two GPUs: runs our split (whole layers by free memory) on the devices named', async () => {
    const { f, reads } = feature(TWO_LAVAPIPE);
    const run = await f.startStep({ model, options: defaultLoadOptions(), explicit: {} });
    expect(run.gpus).toMatchObject({ devices: ['Vulkan0', 'Vulkan1'], tensorSplit: [3, 2] });
    expect(reads).toEqual([model.path]);
  });

  it.each<[string, BackendDevice[], LoadOptions]>([
    ['one GPU (llama.cpp fits it)', TWO_LAVAPIPE.slice(0, 1), defaultLoadOptions()],
    ['one of two chosen', TWO_LAVAPIPE, withGpus({ devices: ['Vulkan1'] })],
    ["the user's own split", THREE_CUDA, withGpus({ tensorSplit: [1, 1, 2] })],
    ['CPU only', THREE_CUDA, withGpus({}, { gpuLayers: 0 })],
  ])('leaves the options alone with %s, without reading the model', async (_why, devices, options) => {
    const { f, reads } = feature(devices);
    expect(await f.startStep({ model, options, explicit: {} })).toBe(options);
    expect(reads).toEqual([]);
  });

  it('backend.plan merges the options over the saved ones and answers the plan', async () => {
    const { f } = feature(TWO_LAVAPIPE);
    const p = await f.handlers['backend.plan'](
      { modelPath: '/models/m.gguf', options: { contextSize: 2048 } },
      { transport: 'direct' },
    );
    expect(p.devices.map((d) => d.layers)).toEqual([3, 1]);
    expect(p.tensorSplit).toEqual([3, 2]);
  });
});
