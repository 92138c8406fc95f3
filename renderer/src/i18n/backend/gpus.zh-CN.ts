import type { gpusEn } from './gpus.en';
import type { Messages } from './messages';

/** Chinese strings of the 'gpus' section; same keys and {{placeholders}} as gpus.en.ts (checked by backend.test.ts). */
export const gpusZhCN: Messages<typeof gpusEn> = {
  title: 'GPU',
  use: '使用这些 GPU',
  automatic: '自动',
  automaticHint: '自动：每块 GPU 使用一次（只有在没有其他 GPU 时才使用集成显卡）。',
  free: '{{total}} 中可用 {{free}}',
  splitMode: '多 GPU 拆分方式',
  splitModes: {
    layer: '按层（每块 GPU 放整层）',
    row: '按行（每个矩阵在多块 GPU 间切分）',
    none: '仅一块 GPU（主 GPU）',
  },
  splitHint: {
    layer: '按可用显存的比例分配各层；放不下的部分留在 CPU 上。',
    row: '需要 GPU 之间的高速互联。此 llama.cpp 只在 Intel SYCL 设备上支持按行拆分。',
    none: '整个模型放在主 GPU 上。',
  },
  mainGpu: '主 GPU',
  mainGpuHint: '存放中间结果（按行拆分时）或整个模型（仅一块 GPU 时）。',
  plan: '加载前的分配方案',
  planning: '正在规划…',
  noModel: '选择模型文件后即可查看各层的分配。',
  col: {
    device: 'GPU',
    layers: '层数',
    memory: '显存',
    share: '占比',
  },
  notUsed: '未使用',
  cpu: 'CPU（内存）',
  cpuLayers: '{{total}} 层中有 {{n}} 层在 CPU 上',
  allOnGpu: '全部 {{total}} 层都在 GPU 上。',
  expertsInRam: '前 {{n}} 层的 MoE 专家权重保留在内存中。',
  fitByLlama: '单块 GPU：llama.cpp 在加载时自行适配层数和上下文（此处为估算）。',
  flags: 'llama-server 参数：{{flags}}',
  monitorTitle: '模型在各 GPU 上的占比',
  monitorRow: '层数：{{layers}} · {{memory}}',
};
