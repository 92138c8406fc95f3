/**
 * The fit planner against llama.cpp's own memory figures, on synthetic models of each architecture family we plan
 * for (qwen2 = R1-Distill-Qwen, llama = R1-Distill-Llama, qwen3 = R1-0528-Qwen3, qwen3moe, deepseek2 with MLA =
 * R1/V3). This machine has no GPU, so the host figures are compared: model + context (KV) + compute, each within
 * 10 % (or 2 MiB, since llama.cpp prints whole MiB) — from `llama-fit-params --fit-print on` (which reserves logits
 * for every micro-batch token) and from llama-server's `--log-jsonl` `fit_memory_breakdown` (one output row per slot,
 * what the app actually runs).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeSyntheticModel } from '../../../scripts/lib/synthetic-models.mjs';
import type { HardwareInput, KvType } from '../../shared/models';
import { freePort } from '../util/free-port';
import { DEFAULT_PLAN_SETTINGS, MiB, planFit } from './fit';
import { readGgufFile } from './gguf';
import { factsFromGguf, weightsFromTensors } from './model-facts';

const run = promisify(execFile);

const MODELS: Record<string, Record<string, unknown>> = {
  qwen2: { arch: 'qwen2', n_embd: 1024, n_layer: 6, n_head: 16, n_head_kv: 2, n_ff: 2816 },
  llama: { arch: 'llama', n_embd: 512, n_layer: 4, n_head: 8, n_head_kv: 8, n_ff: 1536 },
  qwen3: { arch: 'qwen3', n_embd: 512, n_layer: 4, n_head: 8, n_head_kv: 2, n_ff: 1536, head_dim: 128 },
  qwen3moe: {
    arch: 'qwen3moe',
    n_embd: 512,
    n_layer: 4,
    n_head: 8,
    n_head_kv: 4,
    n_ff: 1536,
    n_expert: 16,
    n_expert_used: 4,
    n_ff_exp: 256,
  },
  deepseek2: {
    arch: 'deepseek2',
    n_embd: 512,
    n_layer: 4,
    n_head: 8,
    n_ff: 1536,
    q_lora: 192,
    kv_lora: 128,
    rope: 32,
    qk_nope: 64,
    v_head: 64,
    n_expert: 16,
    n_expert_used: 4,
    n_ff_exp: 256,
    n_shared: 1,
    n_dense_lead: 1,
  },
};

interface Case {
  ctx: number;
  fa: boolean;
  kv: KvType;
}
const CASES: Case[] = [
  { ctx: 4096, fa: true, kv: 'f16' },
  { ctx: 32768, fa: false, kv: 'f16' },
  { ctx: 16384, fa: true, kv: 'q8_0' },
];

let dir: string;
const files: Record<string, string> = {};
const cpuOnly: HardwareInput = {
  gpus: [],
  ramAvailableBytes: 1e12,
  ramTotalBytes: 1e12,
  unifiedMemory: false,
  ramBandwidthGBs: null,
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-fit-'));
  for (const [name, h] of Object.entries(MODELS)) {
    files[name] = path.join(dir, `${name}.gguf`);
    await writeSyntheticModel(files[name], h);
  }
  files.tiny = inject('tinyModel');
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ours(file: string, c: Case, outputs: number) {
  const h = await readGgufFile(file);
  const facts = factsFromGguf(h);
  const weights = weightsFromTensors(h.tensors, facts.blockCount, h.fileSize);
  const plan = planFit(facts, { quant: 'x', bitsPerWeight: 16, dynamic: false, weights }, cpuOnly, c.ctx, c.kv, {
    ...DEFAULT_PLAN_SETTINGS,
    flashAttention: c.fa,
    outputs,
  });
  expect(plan.mode).toBe('cpu');
  return { model: plan.host.model / MiB, context: plan.host.context / MiB, compute: plan.host.compute / MiB };
}

// -nr (--no-repack): no CPU "extra buffer types". A build for a CPU with AMX (Sapphire Rapids, GGML_NATIVE) puts part of
// the weights into an AMX buffer that --fit-print does not count under Host (tiny: Host 19 MiB, 37 with -nr), and
// its scheduler asserts on the synthetic deepseek2 graph (GGML_ASSERT(*cur_backend_id != -1)). Our planner counts all
// the weights in host memory, which is what they take either way; -nr makes llama.cpp count the same on every machine.
const args = (c: Case) => ['-c', String(c.ctx), '-fa', c.fa ? 'on' : 'off', '-ctk', c.kv, '-ctv', c.kv, '-nr'];

function expectClose(name: string, mine: Record<string, number>, theirs: Record<string, number>) {
  for (const k of ['model', 'context', 'compute'] as const) {
    const a = mine[k]!;
    const b = theirs[k]!;
    // llama.cpp prints whole MiB (floored): allow that rounding on small figures.
    const ok = Math.abs(a - b) <= Math.max(0.1 * b, 2);
    expect(ok, `${name} ${k}: ours ${a.toFixed(1)} MiB vs llama.cpp ${b} MiB`).toBe(true);
  }
  const ta = mine.model! + mine.context! + mine.compute!;
  const tb = theirs.model! + theirs.context! + theirs.compute!;
  expect(Math.abs(ta - tb) / tb, `${name} total: ours ${ta.toFixed(1)} vs ${tb}`).toBeLessThanOrEqual(0.1);
}

describe('fit planner vs llama-fit-params --fit-print (host memory, CPU-only)', () => {
  const bin = () =>
    path.join(
      path.dirname(inject('llamaServer')),
      process.platform === 'win32' ? 'llama-fit-params.exe' : 'llama-fit-params',
    );
  // The tiny model's 16-wide heads cannot hold a q8_0 cache (llama.cpp refuses; the planner skips such plans).
  const table = [...Object.keys(MODELS), 'tiny'].flatMap((m) =>
    CASES.filter((c) => m !== 'tiny' || c.kv === 'f16').map((c) => ({ m, ...c })),
  );
  it.each(table)('$m ctx=$ctx fa=$fa kv=$kv', async ({ m, ctx, fa, kv }) => {
    const c = { ctx, fa, kv };
    const { stdout } = await run(bin(), ['-m', files[m]!, ...args(c), '-fitp', 'on'], { timeout: 60_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('Host '));
    expect(line, stdout).toBeDefined();
    const [model, context, compute] = line!.trim().split(/\s+/).slice(1).map(Number);
    // llama-fit-params reserves logits for every token of the micro-batch.
    expectClose(`${m} ${ctx}`, await ours(files[m]!, c, DEFAULT_PLAN_SETTINGS.ubatch), {
      model: model!,
      context: context!,
      compute: compute!,
    });
  });
});

describe('fit planner vs llama-server fit_memory_breakdown (--log-jsonl, one slot)', () => {
  async function breakdown(file: string, c: Case): Promise<Record<string, number>> {
    const port = await freePort();
    const child = spawn(
      inject('llamaServer'),
      ['-m', file, '--host', '127.0.0.1', '--port', String(port), '--log-jsonl', '-np', '1', ...args(c)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      return await new Promise((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error(`no fit_memory_breakdown:\n${buf.slice(-2000)}`)), 45_000);
        child.stdout.on('data', (d) => {
          buf += d;
          for (const line of buf.split('\n')) {
            if (!line.includes('"fit_memory_breakdown"')) continue;
            try {
              const j = JSON.parse(line) as {
                data: { rows: { kind: string; model: number; context: number; compute: number }[] };
              };
              const host = j.data.rows.find((r) => r.kind === 'host');
              if (host) {
                clearTimeout(timer);
                resolve({ model: host.model, context: host.context, compute: host.compute });
              }
            } catch {
              /* a partial line: wait for the rest */
            }
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`llama-server exited ${code}:\n${buf.slice(-2000)}`));
        });
      });
    } finally {
      child.kill('SIGKILL');
    }
  }
  const table = [
    { m: 'tiny', ...CASES[0]! },
    { m: 'qwen2', ...CASES[0]! },
    { m: 'llama', ...CASES[1]! },
    { m: 'qwen3moe', ...CASES[2]! },
    { m: 'deepseek2', ctx: 32768, fa: true, kv: 'f16' as KvType },
  ];
  it.each(table)('$m ctx=$ctx fa=$fa kv=$kv', async ({ m, ctx, fa, kv }) => {
    const c = { ctx, fa, kv };
    expectClose(`${m} ${ctx}`, await ours(files[m]!, c, 1), await breakdown(files[m]!, c));
  });
});
