/**
 * llama-quantize and llama-imatrix for real (the bundled CPU build) on the synthetic models: the types list, F16 →
 * Q8_0 / Q4_K_M (header type, size vs estimate, the result loads), cancel, the refusals mapped to their codes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestModel } from '../../../../scripts/make-test-model.mjs';
import { AppError } from '../../../shared/errors';
import { readGgufFile } from '../../models/gguf';
import { inspectModel } from '../../models/inspect';
import { locateQuantTools } from '../tools';
import type { QuantTools, RunContext, RunProgress } from '../types';
import { checkImatrixFile, estimateQuantBytes, listQuantTypes, runImatrix, runQuantize } from './index';

let tools: QuantTools;
let small: string;
let dir: string;

beforeAll(async () => {
  tools = locateQuantTools(inject('llamaServer'), 'test');
  small = await ensureTestModel({ preset: 'small', seed: 1 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantize-int-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function context(onReport?: (p: RunProgress, ac: AbortController) => void) {
  const ac = new AbortController();
  const reports: RunProgress[] = [];
  const log: string[] = [];
  const pids: number[] = [];
  const ctx: RunContext = {
    signal: ac.signal,
    report: (p) => {
      reports.push(p);
      onReport?.(p, ac);
    },
    log: (l) => log.push(l),
    onChild: (pid) => pids.push(pid),
  };
  return { ctx, ac, reports, log, pids };
}

const out = (name: string) => path.join(dir, name);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );

async function quantizeTo(type: string, output: string) {
  const c = context();
  await runQuantize(
    tools.quantize,
    { source: small, output, type, imatrix: null, allowRequantize: false, threads: 2 },
    c.ctx,
  );
  return c;
}

async function expectedBytes(source: string, id: string) {
  const types = await listQuantTypes(tools.quantize);
  const type = types.find((t) => t.id === id)!;
  const h = await readGgufFile(source);
  return estimateQuantBytes(h.tensors, type, h.dataOffset);
}

describe('listQuantTypes (real llama-quantize)', () => {
  it('lists the types the tool offers, once per binary', async () => {
    const a = await listQuantTypes(tools.quantize);
    const ids = a.map((t) => t.id);
    for (const id of ['Q4_K_M', 'Q8_0', 'Q6_K', 'IQ2_XXS', 'F16']) expect(ids).toContain(id);
    expect(ids).not.toContain('COPY');
    expect(await listQuantTypes(tools.quantize)).toBe(a);
  });
});

describe('runQuantize (real llama-quantize, small F16 model)', () => {
  it.each([
    ['Q8_0', 'Q8_0'],
    ['Q4_K_M', 'Q4_K_M'],
  ])(
    'F16 → %s: header type, size near the estimate, it loads, progress per tensor',
    async (type, label) => {
      const file = out(`small-${type}.gguf`);
      const { reports } = await quantizeTo(type, file);
      const info = await inspectModel(file);
      expect(info.quantization).toBe(label);
      expect(info.architecture).toBe('qwen2');
      const estimate = (await expectedBytes(small, type))!;
      expect(Math.abs(info.sizeBytes - estimate) / info.sizeBytes).toBeLessThan(0.1);
      const source = fs.statSync(small).size;
      expect(info.sizeBytes).toBeLessThan(source * (type === 'Q8_0' ? 0.6 : 0.4));
      const h = await readGgufFile(small);
      expect(reports.at(-1)).toEqual({ phase: 'quantize', done: h.tensors.length, total: h.tensors.length });
      const done = reports.map((r) => r.done);
      expect(done).toEqual([...done].sort((x, y) => x - y));
      expect(reports.length).toBeGreaterThanOrEqual(h.tensors.length);
    },
    180_000,
  ); // K-quants of the 152k-row embedding and output matrices: ~20 s on a busy 2-core machine

  it('cancel mid-quantize kills the tool and leaves no file', async () => {
    const file = out('cancelled.gguf');
    const c = context((p, ac) => {
      if (p.done >= 2) ac.abort(new Error('cancelled by the test'));
    });
    const e = await failure(
      runQuantize(
        tools.quantize,
        { source: small, output: file, type: 'Q8_0', imatrix: null, allowRequantize: false, threads: 1 },
        c.ctx,
      ),
    );
    expect((e as Error).message).toBe('cancelled by the test');
    expect(fs.existsSync(file)).toBe(false);
    expect(c.pids).toHaveLength(1);
    expect(() => process.kill(c.pids[0]!, 0)).toThrow();
  });

  it('IQ2_XXS without an importance matrix → QUANT_NEEDS_IMATRIX, no file', async () => {
    const file = out('iq2.gguf');
    const e = await failure(quantizeTo('IQ2_XXS', file));
    expect((e as AppError).code).toBe('QUANT_NEEDS_IMATRIX');
    expect((e as AppError).params).toEqual({ type: 'IQ2_XXS' });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('Q4_K_M → Q3_K_S without allowRequantize → QUANT_REQUANTIZE; allowed, it works', async () => {
    const src = out('small-Q4_K_M.gguf');
    if (!fs.existsSync(src)) await quantizeTo('Q4_K_M', src);
    const file = out('requant.gguf');
    const req = { source: src, output: file, type: 'Q3_K_S', imatrix: null, allowRequantize: false, threads: 2 };
    const e = await failure(runQuantize(tools.quantize, req, context().ctx));
    expect((e as AppError).code).toBe('QUANT_REQUANTIZE');
    expect((e as AppError).params?.type).toBe('Q3_K_S');
    expect(fs.existsSync(file)).toBe(false);
    await runQuantize(tools.quantize, { ...req, allowRequantize: true }, context().ctx);
    expect((await inspectModel(file)).quantization).toBe('Q3_K_S');
  });

  it('a source that is not GGUF → QUANT_FAILED with the tool’s reason, no file', async () => {
    const src = out('not-a-model.gguf');
    fs.writeFileSync(src, 'this is a text file, not a model\n'.repeat(100));
    const file = out('from-text.gguf');
    const e = await failure(
      runQuantize(
        tools.quantize,
        { source: src, output: file, type: 'Q8_0', imatrix: null, allowRequantize: false },
        context().ctx,
      ),
    );
    expect((e as AppError).code).toBe('QUANT_FAILED');
    expect(String((e as AppError).params?.reason)).toMatch(/\S/);
    expect(fs.existsSync(file)).toBe(false);
  });
});

// An imatrix computed on tiny (64 wide) is refused for small ("imatrix size 64 is different from tensor size 256"),
// so the IQ2_XXS test computes one on small; that refusal is tested on its recorded output (quantize-output.test.ts).
describe('runImatrix (real llama-imatrix)', () => {
  const text = () => {
    const p = out('calibration.txt');
    const words =
      'The river runs past the old mill, where children watch the water turn the wheel. In autumn the leaves fall ' +
      'into the stream and travel far to the sea. Farmers bring grain to be ground, and the miller tells stories ';
    fs.writeFileSync(p, words.repeat(60));
    return p;
  };

  it('computes an importance matrix on small (2 chunks) that IQ2_XXS then uses', async () => {
    const textPath = text();
    const imatrix = out('small.imatrix.gguf');
    const c = context();
    await runImatrix(
      tools.imatrix,
      { model: small, textPath, output: imatrix, contextSize: 128, chunks: 2, threads: 2 },
      c.ctx,
    );
    await checkImatrixFile(imatrix);
    expect(c.reports.at(-1)).toEqual({ phase: 'imatrix', done: 2, total: 2 });
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);

    const file = out('small-IQ2_XXS.gguf');
    await runQuantize(
      tools.quantize,
      { source: small, output: file, type: 'IQ2_XXS', imatrix, allowRequantize: false, threads: 2 },
      context().ctx,
    );
    expect((await inspectModel(file)).quantization).toBe('IQ2_XXS');
  }, 180_000);

  it('a text too short for one chunk → IMATRIX_FAILED with the reason, no file', async () => {
    const p = out('short.txt');
    fs.writeFileSync(p, 'Too short.');
    const imatrix = out('short.imatrix.gguf');
    const e = await failure(
      runImatrix(
        tools.imatrix,
        { model: small, textPath: p, output: imatrix, contextSize: 128, chunks: 2 },
        context().ctx,
      ),
    );
    expect((e as AppError).code).toBe('IMATRIX_FAILED');
    expect(String((e as AppError).params?.reason)).toMatch(/tokens/);
    expect(fs.existsSync(imatrix)).toBe(false);
  });
});
