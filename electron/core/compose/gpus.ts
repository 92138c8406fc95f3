/**
 * Several GPUs: the `backend.plan` handler (the per-GPU plan shown before loading) and backend.start's GPU step
 * (compose/start-steps.ts), both over the active runtime's own device list. The step refuses a device the runtime
 * does not list (GPU_DEVICE_NOT_FOUND) before anything starts and, with two or more used GPUs and no split of the
 * user's, runs the planner's split (models/gpu-split.ts: layers in proportion to free memory, --fit off).
 */
import type { Handlers } from '../../shared/contract';
import type { Lang } from '../../shared/errors';
import { LoadOptions as LoadOptionsSchema, type Settings } from '../../shared/schemas';
import type { BackendDevice } from '../../shared/telemetry';
import { buildLlamaServerArgs } from '../backends/llama-cpp/llama-args';
import { planGpuSplit, type SplitModel } from '../models/gpu-split';
import { chooseDevices } from '../models/gpu-split-devices';
import { readSplitModel } from '../models/gpu-split-model';
import { expandHome } from '../util/safe-path';
import type { StartStep } from './start-steps';

type Language = Settings['language'];

export interface GpusDeps {
  /** The active runtime's devices (its checked --list-devices; [] when it lists none or is not known). */
  devices: () => Promise<BackendDevice[]>;
  /** settings.loadOptions: what a plan's options are merged over. */
  savedOptions: () => Promise<LoadOptionsSchema>;
  language: () => Promise<Language>;
  /** Tests: another model reader. */
  readModel?: (file: string) => Promise<SplitModel>;
}

export interface GpusFeature {
  handlers: Pick<Handlers, 'backend.plan'>;
  startStep: StartStep;
}

function langOf(language: Language): Lang {
  if (language !== 'system') return language;
  return (Intl.DateTimeFormat().resolvedOptions().locale || process.env.LANG || 'en').toLowerCase().startsWith('zh')
    ? 'zh-CN'
    : 'en';
}

/** llama-server's argv for options: where the planner takes its flags from. */
export const llamaArgv = (options: LoadOptionsSchema) =>
  buildLlamaServerArgs({ modelPath: 'model.gguf', apiKeyFile: 'key', options });

export function createGpus(deps: GpusDeps): GpusFeature {
  const read = deps.readModel ?? readSplitModel;
  return {
    handlers: {
      'backend.plan': async ({ modelPath, options }) => {
        const merged = LoadOptionsSchema.parse({ ...(await deps.savedOptions()), ...(options ?? {}) });
        const [devices, model, lang] = await Promise.all([
          deps.devices(),
          read(expandHome(modelPath)),
          deps.language().then(langOf),
        ]);
        return planGpuSplit({ devices, model, options: merged, lang, argv: llamaArgv }).plan;
      },
    },
    startStep: async ({ model, options }) => {
      const [devices, lang] = await Promise.all([deps.devices(), deps.language().then(langOf)]);
      // Checked first and cheaply: a wrong device fails here, before the model is read or anything starts.
      const { chosen } = chooseDevices(devices, options.gpus, lang);
      if (chosen.length < 2 || options.gpus.tensorSplit || options.gpuLayers === 0) return options;
      // With RPC workers llama.cpp places layers over this machine's devices and the workers' (--fit, in proportion
      // to free memory); our split knows this machine's devices only, and its -dev would leave the workers out.
      if (options.rpcServers.length > 0) return options;
      return planGpuSplit({ devices, model: await read(model.path), options, lang, argv: llamaArgv }).run;
    },
  };
}
