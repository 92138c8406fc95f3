/**
 * Hardware profiles of the several-GPU tests (gpu-split.test.ts, compose/gpus.test.ts): `llama-server
 * --list-devices` texts as the runtime check reads them (the tests parse them with the real parser,
 * gpu-tools/list-devices.ts), and synthetic models with
 * exact per-layer sizes. The texts follow the format checked in electron/core/gpu-tools/fixtures/SOURCES.md; the
 * numbers (free memory differing per card: a game holding VRAM, a card driving the desktop) are ours.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ArchFacts } from '../../shared/models';
import type { SplitModel } from './gpu-split';
import { model, q } from './fit-fixtures';

const MiB = 1024 * 1024;

/** `--list-devices` texts by profile. */
export const LIST_DEVICES = {
  /** The existing gpu-tools fixture: RTX 3090 + RTX 3060 (CUDA) and the CPU's Intel UHD 770 (Vulkan, integrated). */
  TWO_CUDA_IGPU: fs.readFileSync(
    path.join(__dirname, '../gpu-tools/fixtures/list-devices-two-cuda-vulkan.txt'),
    'utf8',
  ),

  /** Three NVIDIA cards, each with different free memory (a game holds 12 GB of the 3090). */
  THREE_CUDA: `Available devices:
  CUDA0: NVIDIA GeForce RTX 4090 (24080 MiB, 22036 MiB free)
  CUDA1: NVIDIA GeForce RTX 3090 (24135 MiB, 11820 MiB free)
  CUDA2: NVIDIA GeForce RTX 3060 (11938 MiB, 11655 MiB free)
`,

  /** Two cards through both CUDA and Vulkan (an official Windows CUDA build with the Vulkan backend loaded too). */
  CUDA_AND_VULKAN_TWINS: `Available devices:
  CUDA0: NVIDIA GeForce RTX 4070 (12281 MiB, 11200 MiB free)
  CUDA1: NVIDIA GeForce RTX 3060 (11938 MiB, 11655 MiB free)
  Vulkan0: NVIDIA GeForce RTX 4070 (12281 MiB, 11200 MiB free)
  Vulkan1: NVIDIA GeForce RTX 3060 (11938 MiB, 11655 MiB free)
`,

  /** lavapipe twice (GGML_VK_VISIBLE_DEVICES=0,0): what the integration test runs on. */
  TWO_LAVAPIPE: `Available devices:
  Vulkan0: llvmpipe (LLVM 15.0.6, 256 bits) (2048 MiB, 2048 MiB free)
  Vulkan1: llvmpipe (LLVM 15.0.6, 256 bits) (2048 MiB, 2048 MiB free)
`,

  /** Two Intel Arc cards on the SYCL build: the only backend that splits rows at the pinned release. */
  TWO_SYCL: `Available devices:
  SYCL0: Intel(R) Arc(TM) A770 Graphics (16225 MiB, 15500 MiB free)
  SYCL1: Intel(R) Arc(TM) A770 Graphics (16225 MiB, 15500 MiB free)
`,

  /** A 4090 beside an old 2 GB card that cannot hold a layer of a large model after the margin. */
  BIG_AND_TINY: `Available devices:
  CUDA0: NVIDIA GeForce RTX 4090 (24080 MiB, 22036 MiB free)
  CUDA1: NVIDIA GeForce GT 1030 (2001 MiB, 1100 MiB free)
`,
};

const ARCH: ArchFacts = {
  architecture: 'qwen2',
  blockCount: 4,
  contextLength: 4096,
  embeddingLength: 256,
  feedForwardLength: 768,
  headCount: 8,
  headCountKv: 4,
  keyLength: 32,
  valueLength: 32,
  vocabSize: 1000,
  expertCount: 0,
  expertUsedCount: 0,
  expertFeedForwardLength: 0,
  expertSharedCount: 0,
  leadingDenseBlockCount: 0,
  mla: false,
  kvLoraRank: 0,
  qLoraRank: 0,
  ropeDim: 0,
  keyLengthMla: 0,
  valueLengthMla: 0,
  tiedEmbeddings: false,
};

/** A dense model of `layers` blocks of `layerMiB` each (output `outputMiB`). */
export function uniformModel(layers: number, layerMiB: number, outputMiB = layerMiB): SplitModel {
  return {
    facts: { ...ARCH, blockCount: layers },
    weights: {
      embd: outputMiB * MiB,
      output: outputMiB * MiB,
      outputTiedExtra: 0,
      layers: Array.from({ length: layers }, () => ({ dense: layerMiB * MiB, experts: 0 })),
      fileBytes: (layers * layerMiB + 2 * outputMiB) * MiB,
    },
  };
}

/** A catalog model at one quant (weights estimated from its architecture and file size, as before a download). */
export function catalogModel(id: string, quant: string): SplitModel {
  return { facts: model(id).arch, weights: q(id, quant).weights };
}
