import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend';
import { reapStaleBackend } from '../backends/llama-cpp/backend-pidfile';
import { FileHashes } from '../quant/quality';
import { optionsFromEnv } from './quant';
import { freeBytes } from './quant-plan';
import { installResult, removeLeftovers } from './quant-start';
import {
  backendInFlux,
  knownSha256,
  TOOL_PID_FILE,
  TOOL_PROGRAM,
  toolContext,
  untilBackendSettled,
  type QuantEnv,
} from './quant-env';

describe('optionsFromEnv', () => {
  it.each([
    ['nothing set', {}, {}, {}],
    [
      'both set',
      { DEEPLOCAL_QUALITY_CONTEXT: '128', DEEPLOCAL_QUALITY_CHUNKS: '4' },
      {},
      { qualityContext: 128, qualityChunks: 4 },
    ],
    ['hostile values ignored', { DEEPLOCAL_QUALITY_CONTEXT: '-1', DEEPLOCAL_QUALITY_CHUNKS: '1e99' }, {}, {}],
    ['not a number', { DEEPLOCAL_QUALITY_CONTEXT: 'abc', DEEPLOCAL_QUALITY_CHUNKS: '2.5' }, {}, {}],
    [
      'the caller wins',
      { DEEPLOCAL_QUALITY_CHUNKS: '4' },
      { qualityChunks: 9, imatrixChunks: 2 },
      { qualityChunks: 9, imatrixChunks: 2 },
    ],
  ])('%s', (_, env, given, want) => {
    expect(optionsFromEnv(env as NodeJS.ProcessEnv, given)).toEqual(want);
  });
});

describe('untilBackendSettled', () => {
  it.each([
    ['starting', true],
    ['loading', true],
    ['stopping', true],
    ['ready', false],
    ['stopped', false],
    ['crashed', false],
  ] as const)('%s in flux: %s', (state, want) => {
    expect(backendInFlux(state)).toBe(want);
  });

  it('waits while the backend loads, and gives up when cancelled', async () => {
    const states = ['starting', 'loading', 'ready'];
    const backend = {
      status: () => ({ state: states.length > 1 ? states.shift()! : states[0]! }),
    } as unknown as Backend;
    await untilBackendSettled(backend, new AbortController().signal, 1);
    expect(states).toEqual(['ready']);
    const ac = new AbortController();
    const stuck = { status: () => ({ state: 'loading' }) } as unknown as Backend;
    const p = untilBackendSettled(stuck, ac.signal, 1);
    ac.abort();
    await expect(p).rejects.toThrow();
  });
});

describe('knownSha256', () => {
  it('answers only what the hash cache knows and never hashes a file itself', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'known-sha-'));
    try {
      const f = path.join(dir, 'm.gguf');
      // Small enough that one read covers it: the old probe hashed such a file in full.
      await fs.writeFile(f, 'weights');
      const hashes = new FileHashes(dir);
      expect(await knownSha256(hashes, f)).toBeNull();
      expect(await hashes.known(f)).toBeNull();
      const sha = createHash('sha256').update('weights').digest('hex');
      await hashes.sha256(f);
      expect(await knownSha256(hashes, f)).toBe(sha);
      expect(await knownSha256(hashes, path.join(dir, 'missing.gguf'))).toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('toolContext', () => {
  it("records the running tool in run/quant-tool.pid, removes it when the run is over, and a dead owner's tool is ended", async () => {
    const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'quant-run-'));
    try {
      const hooked: number[] = [];
      const env = { d: { runDir }, opts: { onChild: (pid: number) => hooked.push(pid) } } as unknown as QuantEnv;
      const ac = new AbortController();
      const tool = toolContext(env, { signal: ac.signal, report: () => undefined, log: () => undefined }, 'quantize');
      tool.ctx.onChild?.(4242);
      expect(hooked).toEqual([4242]);
      const file = path.join(runDir, TOOL_PID_FILE);
      // Written in the background (the tool is already running): wait for it.
      for (let i = 0; i < 100 && !(await fs.stat(file).catch(() => null)); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ backendPid: 4242 });
      // The next start finds it with its owner dead and the pid still running a quant tool: ended.
      const killed: number[] = [];
      await reapStaleBackend(runDir, () => undefined, {
        name: TOOL_PID_FILE,
        program: TOOL_PROGRAM,
        probe: async () => ({ alive: false, start: null }),
        commandLine: async () => '/r/llama-quantize /m/a-F16.gguf /m/.a-Q4_K_M.gguf.quantizing Q4_K_M',
        kill: (pid) => killed.push(pid),
      });
      expect(killed).toEqual([4242]);
      await expect(fs.stat(file)).rejects.toThrow();
      tool.ctx.onChild?.(4343);
      await tool.done();
      await expect(fs.stat(file)).rejects.toThrow();
    } finally {
      await fs.rm(runDir, { recursive: true, force: true });
    }
  });
});

describe('removeLeftovers', () => {
  it("removes an interrupted job's temp file and imatrix partials, nothing else", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'quant-left-'));
    try {
      const models = path.join(root, 'models');
      const imx = path.join(root, 'imatrix');
      await fs.mkdir(models);
      await fs.mkdir(imx);
      const put = (f: string) => fs.writeFile(f, 'x').then(() => f);
      const temp = await put(path.join(models, '.a-Q4_K_M.gguf.quantizing'));
      const other = await put(path.join(models, '.b-Q4_K_M.gguf.quantizing'));
      const model = await put(path.join(models, 'a-F16.gguf'));
      const partial = await put(path.join(imx, '.m-en.imatrix.gguf.0a1b2c3d.partial.gguf'));
      const matrix = await put(path.join(imx, 'm-en.imatrix.gguf'));
      const job = { kind: 'quantize', state: 'interrupted', outputPath: path.join(models, 'a-Q4_K_M.gguf') };
      const d = { dataDir: root, modelsDir: async () => models, log: () => undefined };
      await removeLeftovers(d as never, [job as never]);
      const there = async (f: string) => (await fs.stat(f).catch(() => null)) !== null;
      expect([await there(temp), await there(partial)]).toEqual([false, false]);
      expect([await there(other), await there(model), await there(matrix)]).toEqual([true, true, true]);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('freeBytes', () => {
  it("answers for a folder not made yet from its nearest existing parent's disk", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'quant-free-'));
    try {
      const s = await fs.statfs(root);
      const free = await freeBytes(path.join(root, 'models', 'org'));
      expect(typeof free).toBe('number');
      // Free space moves as other processes write: the same disk within 1 GiB.
      expect(Math.abs(free! - Number(s.bavail) * Number(s.bsize))).toBeLessThan(2 ** 30);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('installResult', () => {
  it('never replaces a file at the output, with hard links or without', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'quant-install-'));
    try {
      const tmp = path.join(root, '.a-Q4_K_M.gguf.quantizing');
      const out = path.join(root, 'a-Q4_K_M.gguf');
      const noLinks = async () => {
        throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
      };
      await fs.writeFile(tmp, 'new');
      await fs.writeFile(out, 'theirs');
      await expect(installResult(tmp, out)).rejects.toMatchObject({ code: 'MODEL_EXISTS' });
      await expect(installResult(tmp, out, noLinks)).rejects.toMatchObject({ code: 'MODEL_EXISTS' });
      expect(await fs.readFile(out, 'utf8')).toBe('theirs');
      await fs.rm(out);
      await installResult(tmp, out, noLinks);
      expect(await fs.readFile(out, 'utf8')).toBe('new');
      await fs.writeFile(tmp, 'again');
      await fs.rm(out);
      await installResult(tmp, out);
      expect(await fs.readFile(out, 'utf8')).toBe('again');
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
