/**
 * quality.start / quality.results (issue 14 §2). A check is one llama-perplexity run over a bundled text, plus the
 * KL-divergence against the model's best higher-precision local sibling (kld: 'auto'). Results are cached by the
 * file's sha256 + text + settings (+ base): with one and no `force`, the answer is a job already completed with
 * `cached: true`, and a queued check that finds one once it has hashed the files answers it the same way; nothing
 * is ever recomputed without `force`.
 *
 * GPU: llama-perplexity runs with `-fit on` (quality/run.ts): it puts on the GPU only what fits in the memory that is
 * free when it starts, keeping llama.cpp's margin, so a chat model that is loaded keeps its VRAM and the check runs
 * partly on the CPU instead of failing or evicting it. While the chat model is being loaded or unloaded the check
 * waits (untilBackendSettled), so the free memory it sizes itself to is what the chat model leaves. llama-quantize
 * is CPU-only; llama-imatrix uses `--fit on` and waits the same way.
 */
import type { EvalTextId, QualityRequest, QualityResult, WorkJob } from '../../shared/quant';
import { inspectModel } from '../models/inspect';
import { evalTextPath, qualityKey, qualitySettings, runQuality, type QualityModel } from '../quant/quality';
import { phasePlan } from '../quant/work-plan';
import { expandHome } from '../util/safe-path';
import { knownSha256, toolContext, untilBackendSettled, type QuantEnv } from './quant-env';

/** The KL-divergence reference for a model: its best higher-precision local sibling, or null. */
export type ReferenceOf = (modelPath: string) => Promise<{ path: string; type: string | null } | null>;

export async function startQuality(env: QuantEnv, req: QualityRequest, referenceOf: ReferenceOf): Promise<WorkJob> {
  const tools = await env.tools();
  const info = await inspectModel(expandHome(req.modelPath));
  const text = await evalTextPath(env.d.resourcesDirs, req.text);
  const settings = qualitySettings({ contextSize: env.opts.qualityContext, chunks: env.opts.qualityChunks });
  const ref = req.kld === 'off' ? null : await referenceOf(info.path);
  const base = ref && ref.path !== info.path ? ref : null;
  const spec = { kind: 'quality' as const, modelPath: info.path, modelName: info.name, target: req.text };

  const cachedFor = async (modelSha: string, baseSha: string | null): Promise<QualityResult | null> =>
    req.force
      ? null
      : env.store.get(qualityKey({ modelSha256: modelSha, textSha256: text.sha256, ...settings, baseSha256: baseSha }));

  // Hashes already known (the files were checked before): the cache answers at once.
  const modelSha = await knownSha256(env.hashes, info.path);
  const baseSha = base ? await knownSha256(env.hashes, base.path) : null;
  if (modelSha && (!base || baseSha)) {
    const hit = await cachedFor(modelSha, baseSha);
    if (hit) return env.queue.addCompleted(spec, { result: hit });
  }

  const [job] = await env.queue.add([
    {
      ...spec,
      phases: phasePlan('quality', { kld: base !== null }),
      run: async (ctx) => {
        const shas: string[] = [];
        for (const file of [info.path, ...(base ? [base.path] : [])]) {
          const onProgress = (done: number, total: number) => ctx.report({ phase: 'hashing', done, total });
          shas.push(await env.hashes.sha256(file, onProgress, ctx.signal));
        }
        const hit = await cachedFor(shas[0]!, shas[1] ?? null);
        if (hit) return { result: hit, cached: true };
        const model: QualityModel = { path: info.path, sha256: shas[0]!, type: info.quantization };
        const baseModel: QualityModel | null = base ? { path: base.path, sha256: shas[1]!, type: base.type } : null;
        ctx.log(
          `backend ${env.d.backend.status().state}: llama-perplexity runs with -fit on (GPU share = free memory)`,
        );
        await untilBackendSettled(env.d.backend, ctx.signal);
        const tool = toolContext(env, ctx, 'quality');
        const result = await runQuality(
          tools.perplexity,
          {
            model,
            text: { id: req.text, path: text.path, sha256: text.sha256 },
            base: baseModel,
            ...settings,
            store: env.store,
            build: tools.build,
          },
          tool.ctx,
        ).finally(tool.done);
        return { result, cached: false };
      },
    },
  ]);
  return job!;
}

/** Cached results of one model file (by its sha256, when known: a file never hashed was never measured) or all. */
export async function qualityResults(env: QuantEnv, modelPath?: string, text?: EvalTextId): Promise<QualityResult[]> {
  if (!modelPath) return env.store.list();
  const sha = await knownSha256(env.hashes, expandHome(modelPath));
  if (!sha) return [];
  const all = await env.store.list(sha);
  return text ? all.filter((r) => r.text === text) : all;
}
