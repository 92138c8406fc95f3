/**
 * quant.start (issue 14): checks everything that can be checked before anything is queued — the tools, the source,
 * each type, the importance matrix, the outputs, the disk space — then queues one imatrix job (when asked to
 * compute one) and one quantize job per type after it. A result grows under a hidden temp name beside its final
 * place, is checked, hashed and renamed into place without replacing anything, then recorded in the library with
 * its provenance.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { EvalTextId, Provenance, QuantizeRequest, QuantType, WorkJob } from '../../shared/quant';
import { inspectModel } from '../models/inspect';
import { evalTextPath } from '../quant/quality';
import { hashFile } from '../quant/quality/hashes';
import { checkImatrixFile, runImatrix, runQuantize } from '../quant/quantize';
import type { QuantTools, RunContext } from '../quant/types';
import { phasePlan } from '../quant/work-plan';
import type { WorkSpec } from '../quant/work-queue';
import { expandHome } from '../util/safe-path';
import { knownSha256, toolContext, untilBackendSettled, type QuantDeps, type QuantEnv } from './quant-env';
import { expectedBytesOf, freeBytes, imatrixDir, readSource, type SourceModel } from './quant-plan';
import {
  checkSpace,
  checkTypes,
  imatrixFileName,
  leftoverTemps,
  outputDirOf,
  outputNameOf,
  tempPathOf,
} from './quant-rules';

/** Importance matrix defaults: llama-imatrix's own context, and enough chunks for a stable matrix. */
export const IMATRIX_CONTEXT = 512;
export const IMATRIX_CHUNKS = 100;

const exists = (p: string) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );

/** The imatrix a quantize job uses: a chosen file, or the one the job before it computes (set when it ran). */
interface ImatrixRef {
  kind: 'computed' | 'file';
  path: string | null;
  text: EvalTextId | null;
}

export async function startQuant(env: QuantEnv, req: QuantizeRequest): Promise<WorkJob[]> {
  const tools = await env.tools();
  const src = await readSource(expandHome(req.modelPath));
  const mode = req.imatrix?.mode ?? 'none';
  const types = checkTypes(req.types, await env.types(), src.source, mode, req.allowRequantize === true);

  let imatrix: ImatrixRef | null = null;
  let text: { id: EvalTextId; path: string } | null = null;
  if (req.imatrix?.mode === 'file') {
    const file = path.resolve(expandHome(req.imatrix.path));
    await checkImatrixFile(file);
    imatrix = { kind: 'file', path: file, text: null };
  } else if (req.imatrix?.mode === 'compute') {
    const t = await evalTextPath(env.d.resourcesDirs, req.imatrix.text);
    const earlier = await computedBefore(env, src.info.path, req.imatrix.text);
    // Computed before for this model and text: reused, no job (else the imatrix job computes it first).
    if (!earlier) text = { id: req.imatrix.text, path: t.path };
    imatrix = { kind: 'computed', path: earlier, text: req.imatrix.text };
  }

  const dir = outputDirOf(src.info.path, await env.d.modelsDir());
  const busy = new Set(
    (await env.queue.list())
      .filter((j) => j.kind === 'quantize' && (j.state === 'queued' || j.state === 'running'))
      .map((j) => j.outputPath),
  );
  const outputs = types.map((t) => ({ type: t, output: path.join(dir, outputNameOf(src.info.path, t.id)) }));
  for (const o of outputs) {
    if (o.output === src.info.path || busy.has(o.output) || (await exists(o.output)))
      throw new AppError('MODEL_EXISTS', { path: o.output });
  }
  checkSpace(
    dir,
    await freeBytes(dir),
    outputs.map((o) => ({ type: o.type.id, expectedBytes: expectedBytesOf(src, o.type) })),
    src.info.sizeBytes,
  );

  const specs: WorkSpec[] = [];
  let after: string | null = null;
  if (imatrix?.kind === 'computed' && text) {
    specs.push(imatrixSpec(env, tools, src, text, imatrix));
  }
  const jobs: WorkJob[] = [];
  if (specs.length) {
    const [imx] = await env.queue.add(specs);
    jobs.push(imx!);
    after = imx!.id;
  }
  const quantSpecs = outputs.map((o) =>
    quantizeSpec(env, tools, src, o.type, o.output, imatrix, req.allowRequantize === true, after),
  );
  jobs.push(...(await env.queue.add(quantSpecs)));
  return jobs;
}

/**
 * Puts a finished result in place without replacing anything: a hard link never replaces (a file that appeared at
 * `output` meanwhile stays, and MODEL_EXISTS). Where the disk has no hard links (FAT/exFAT drives: EPERM, ENOTSUP …)
 * it is renamed, after checking that nothing is there — rename would replace it silently.
 */
export async function installResult(tmp: string, output: string, link = fs.link): Promise<void> {
  try {
    await link(tmp, output);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' || (await exists(output)))
      throw new AppError('MODEL_EXISTS', { path: output });
    await fs.rename(tmp, output);
  }
}

/** At start-up: removes the temp files of jobs the last run left interrupted (leftoverTemps decides which). */
export async function removeLeftovers(d: QuantDeps, jobs: WorkJob[]): Promise<void> {
  const dir = imatrixDir(d.dataDir);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const file of leftoverTemps(jobs, await d.modelsDir(), dir, names)) {
    if (await exists(file)) d.log(`removing ${file}, left by an interrupted job`);
    await fs.rm(file, { force: true }).catch(() => undefined);
  }
}

/** The app's importance matrix for this model (hash known) and text, when it exists and reads as one. */
async function computedBefore(env: QuantEnv, model: string, text: EvalTextId): Promise<string | null> {
  const sha = await knownSha256(env.hashes, model);
  if (!sha) return null;
  const file = path.join(imatrixDir(env.d.dataDir), imatrixFileName(sha, text));
  if (!(await exists(file))) return null;
  return checkImatrixFile(file).then(
    () => file,
    () => null,
  );
}

const hashing = (ctx: RunContext, phase: 'hashing' | 'installing') => (done: number, total: number) =>
  ctx.report({ phase, done, total });

function imatrixSpec(
  env: QuantEnv,
  tools: QuantTools,
  src: SourceModel,
  text: { id: EvalTextId; path: string },
  ref: ImatrixRef,
): WorkSpec {
  return {
    kind: 'imatrix',
    modelPath: src.info.path,
    modelName: src.info.name,
    target: text.id,
    phases: phasePlan('imatrix'),
    run: async (ctx) => {
      const sha = await env.hashes.sha256(src.info.path, hashing(ctx, 'hashing'), ctx.signal);
      const output = path.join(imatrixDir(env.d.dataDir), imatrixFileName(sha, text.id));
      // Computed before for this model and text: reused (a damaged one is computed again).
      const reuse =
        (await exists(output)) &&
        (await checkImatrixFile(output).then(
          () => true,
          () => false,
        ));
      if (!reuse) {
        await fs.mkdir(path.dirname(output), { recursive: true });
        await untilBackendSettled(env.d.backend, ctx.signal);
        const tool = toolContext(env, ctx, 'imatrix');
        await runImatrix(
          tools.imatrix,
          {
            model: src.info.path,
            textPath: text.path,
            output,
            contextSize: env.opts.imatrixContext ?? IMATRIX_CONTEXT,
            chunks: env.opts.imatrixChunks ?? IMATRIX_CHUNKS,
          },
          tool.ctx,
        ).finally(tool.done);
      } else ctx.log(`reusing ${output}`);
      ref.path = output;
      return { outputPath: output };
    },
  };
}

function quantizeSpec(
  env: QuantEnv,
  tools: QuantTools,
  src: SourceModel,
  type: QuantType,
  output: string,
  imatrix: ImatrixRef | null,
  allowRequantize: boolean,
  after: string | null,
): WorkSpec {
  return {
    kind: 'quantize',
    modelPath: src.info.path,
    modelName: src.info.name,
    target: type.id,
    after,
    outputPath: output,
    phases: phasePlan('quantize'),
    run: async (ctx) => {
      const sourceSha = await env.hashes.sha256(src.info.path, hashing(ctx, 'hashing'), ctx.signal);
      if (imatrix && !imatrix.path)
        throw new AppError('IMATRIX_INVALID', { path: '', reason: 'the importance matrix was not computed' });
      const imatrixSha = imatrix?.path ? await env.hashes.sha256(imatrix.path, undefined, ctx.signal) : null;
      const tmp = tempPathOf(output);
      // A fresh data folder has no models folder yet (a source imported by reference lives elsewhere).
      await fs.mkdir(path.dirname(output), { recursive: true });
      await fs.rm(tmp, { force: true });
      try {
        const tool = toolContext(env, ctx, 'quantize');
        await runQuantize(
          tools.quantize,
          { source: src.info.path, output: tmp, type: type.id, imatrix: imatrix?.path ?? null, allowRequantize },
          tool.ctx,
        ).finally(tool.done);
        ctx.signal.throwIfAborted();
        const st = await fs.stat(tmp);
        ctx.report({ phase: 'installing', done: 0, total: st.size });
        // The tool said it finished; its file must also read as a whole GGUF before it is installed.
        await inspectModel(tmp);
        const sha256 = await hashFile(tmp, (done) => hashing(ctx, 'installing')(done, st.size), ctx.signal);
        ctx.signal.throwIfAborted();
        await installResult(tmp, output);
        // Its first quality check need not read it again.
        await env.hashes.remember(output, sha256).catch(() => undefined);
        const provenance: Provenance = {
          kind: 'quantized',
          sourcePath: src.info.path,
          sourceName: path.basename(src.info.path),
          sourceSha256: sourceSha,
          sourceType: src.source.fileType,
          type: type.id,
          imatrix: imatrix?.path
            ? { kind: imatrix.kind, path: imatrix.path, sha256: imatrixSha, text: imatrix.text }
            : null,
          allowRequantize,
          llamaBuild: tools.build,
          createdAt: Date.now(),
        };
        await env.d.library
          .recordInstalled({
            path: output,
            files: [{ path: output, sha256 }],
            hub: 'local',
            repo: '',
            catalogId: null,
            provenance,
          })
          .catch(async (e: unknown) => {
            // Not recorded, not kept: a result without its provenance would pass for an imported file.
            await fs.rm(output, { force: true }).catch(() => undefined);
            throw e;
          });
        const root = path.resolve(await env.d.modelsDir());
        const libraryId = path.relative(root, output).split(path.sep).join('/');
        return { outputPath: output, libraryId };
      } finally {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
      }
    },
  };
}
