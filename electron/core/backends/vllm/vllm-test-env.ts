/**
 * Test helpers for the vLLM kind with the stand-in (scripts/fake-vllm): a venv-like folder whose bin/ holds the
 * stand-in's `vllm` and `python3`, a plan for VllmBackend, and /proc readers (a process group's live members).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { VllmInstall, VllmPlan } from '../../../shared/backends';

export const FAKE_VLLM_DIR = path.resolve(__dirname, '../../../../scripts/fake-vllm');

/** `<dir>/bin/{vllm,python3}` → the stand-in (and node, so its `#!/usr/bin/env node` runs with any PATH). */
export function fakeVenv(dir: string): { vllm: string; bin: string } {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const name of ['vllm', 'python3']) fs.symlinkSync(path.join(FAKE_VLLM_DIR, name), path.join(bin, name));
  return { vllm: path.join(bin, 'vllm'), bin };
}

export function fakeInstall(vllmPath: string): VllmInstall {
  return {
    id: `setting:${vllmPath}`,
    source: 'setting',
    command: [vllmPath],
    version: '0.11.0',
    python: '3.12.3',
    torch: '2.8.0+cu128',
    cuda: '12.8',
    gpus: [{ index: 0, name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24217, capability: '8.9' }],
    usable: true,
    problem: null,
  };
}

/** A plan as compose/vllm-plan.ts makes it, for a snapshot folder the stand-in serves (any folder does). */
export function testPlan(folder: string, install: VllmInstall, over: Partial<VllmPlan> = {}): VllmPlan {
  return {
    model: {
      path: folder,
      name: 'DeepSeek-R1-Distill-Qwen-Tiny',
      architecture: 'Qwen2ForCausalLM',
      quantization: null,
      dtype: 'bfloat16',
      sizeBytes: 1000,
      shards: 1,
      contextLength: 4096,
      parameterCount: 1e6,
      reasoning: true,
    },
    options: {
      install: null,
      gpuMemoryUtilization: 0.9,
      gpus: null,
      quantization: null,
      dtype: 'auto',
      enforceEager: false,
      ray: null,
    },
    install,
    tensorParallelSize: 1,
    maxModelLen: 2048,
    reasoningParser: 'deepseek_r1',
    command: [],
    fit: {
      weightsBytes: 0,
      kvBytesPerToken: 0,
      kvBytes: 0,
      overheadBytes: 0,
      budgetBytes: 0,
      maxModelLen: 2048,
      maxFittingLen: 2048,
      fits: true,
    },
    problems: [],
    ...over,
  };
}

/** Live (not zombie) processes whose process group is `pgid` (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Live children of `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** /proc/PID/cmdline and environ as text ('' when unreadable). */
export function procText(pid: number, what: 'cmdline' | 'environ'): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${what}`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
