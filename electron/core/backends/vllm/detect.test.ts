/**
 * Detection against the stand-in (scripts/fake-vllm: `vllm` and the `python3` beside it answer the probe as a venv's
 * would), in a made-up home folder with PATH limited to a folder we fill: a venv in ~/.venvs, the same venv on PATH,
 * DEEPLOCAL_VLLM, no GPU, an old version, a broken import. WSL is only reachable through wsl.exe, so its rows run a
 * scripted `wsl` (the listing script's and the probe's answers), nothing else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunTool, ToolResult } from '../../util/run-tool';
import { detectVllm } from './detect';
import { VLLM_MODULE } from './detect-plan';

const FAKE = path.resolve(__dirname, '../../../../scripts/fake-vllm');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-vllm-detect-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A home folder with a venv (bin/vllm + bin/python3 → the stand-in) at `rel`, and a PATH folder holding node. */
function world(rel = '.venvs/vllm'): { home: string; venvBin: string; pathDir: string; env: NodeJS.ProcessEnv } {
  const home = fs.mkdtempSync(path.join(root, 'home-'));
  const venvBin = path.join(home, rel, 'bin');
  fs.mkdirSync(venvBin, { recursive: true });
  fs.symlinkSync(path.join(FAKE, 'vllm'), path.join(venvBin, 'vllm'));
  fs.symlinkSync(path.join(FAKE, 'python3'), path.join(venvBin, 'python3'));
  const pathDir = path.join(home, 'pathbin');
  fs.mkdirSync(pathDir);
  fs.symlinkSync(process.execPath, path.join(pathDir, 'node'));
  return { home, venvBin, pathDir, env: { HOME: home, PATH: pathDir } };
}

describe('detectVllm with the stand-in', () => {
  it('finds a venv in ~/.venvs, reports its versions and GPU, usable and preferred', async () => {
    const w = world();
    const d = await detectVllm({ env: w.env, platform: 'linux', timeoutMs: 20_000 });
    expect(d.installs).toHaveLength(1);
    const inst = d.installs[0]!;
    expect(inst).toMatchObject({
      id: `venv:${path.join(w.venvBin, 'vllm')}`,
      source: 'venv',
      command: [path.join(w.venvBin, 'vllm')],
      version: '0.11.0',
      python: '3.12.3',
      torch: '2.8.0+cu128',
      cuda: '12.8',
      usable: true,
      problem: null,
    });
    expect(inst.gpus).toEqual([{ index: 0, name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24217, capability: '8.9' }]);
    expect(d.preferred).toBe(inst.id);
    expect(d.guide.platform).toBe('linux');
  });

  it('the same venv on PATH (its bin first) and as PATH python3 is reported once, as PATH found it', async () => {
    const w = world('.venv-vllm');
    const d = await detectVllm({
      env: { ...w.env, PATH: `${w.venvBin}:${w.pathDir}` },
      platform: 'linux',
      timeoutMs: 20_000,
    });
    expect(d.installs.map((i) => i.id)).toEqual([`path:${path.join(w.venvBin, 'vllm')}`]);
  });

  it('a python3 with vLLM but no vllm script: run as a module', async () => {
    const w = world();
    fs.rmSync(path.join(w.venvBin, 'vllm'));
    fs.symlinkSync(path.join(FAKE, 'python3'), path.join(w.pathDir, 'python3'));
    const d = await detectVllm({ env: w.env, platform: 'linux', timeoutMs: 20_000 });
    const py = path.join(w.pathDir, 'python3');
    expect(d.installs.map((i) => [i.source, i.command])).toEqual([['python', [py, '-m', VLLM_MODULE]]]);
    expect(d.installs[0]!.usable).toBe(true);
  });

  it.each([
    [{ FAKE_VLLM_GPUS: '0' }, 'VLLM_NO_GPU'],
    [{ FAKE_VLLM_GPUS: 'cpu' }, 'VLLM_NO_GPU'],
    [{ FAKE_VLLM_VERSION: '0.8.5' }, 'VLLM_TOO_OLD'],
    [{ FAKE_VLLM_FAIL: 'import' }, 'VLLM_PYTHON_ENV'],
  ])('%j → not usable, %s', async (extra, code) => {
    const w = world();
    const d = await detectVllm({ env: { ...w.env, ...extra }, platform: 'linux', timeoutMs: 20_000 });
    expect(d.installs.map((i) => [i.usable, i.problem?.code])).toEqual([[false, code]]);
    expect(d.preferred).toBeNull();
  });

  it('DEEPLOCAL_VLLM and explicit candidates come first (a venv folder, a vllm path)', async () => {
    const w = world('somewhere/else/env');
    const other = world('.venvs/vllm');
    const d = await detectVllm({
      env: { ...w.env, DEEPLOCAL_VLLM: path.join(w.home, 'somewhere/else/env') },
      candidates: [path.join(other.venvBin, 'vllm')],
      platform: 'linux',
      timeoutMs: 20_000,
    });
    expect(d.installs.map((i) => i.id)).toEqual([
      `setting:${path.join(other.venvBin, 'vllm')}`,
      `setting:${path.join(w.venvBin, 'vllm')}`,
    ]);
    expect(d.preferred).toBe(d.installs[0]!.id);
  });

  it('nothing installed: no installs, the guide', async () => {
    const w = world();
    fs.rmSync(path.join(w.home, '.venvs'), { recursive: true });
    const d = await detectVllm({ env: w.env, platform: 'linux', timeoutMs: 20_000 });
    expect(d).toMatchObject({ installs: [], preferred: null });
    expect(d.guide.steps.length).toBeGreaterThan(3);
  });

  it('macOS: found, not usable (VLLM_UNSUPPORTED_PLATFORM), guide unsupported', async () => {
    const w = world();
    const d = await detectVllm({ env: w.env, platform: 'darwin', timeoutMs: 20_000 });
    expect(d.installs.map((i) => i.problem?.code)).toEqual(['VLLM_UNSUPPORTED_PLATFORM']);
    expect(d.guide.platform).toBe('unsupported');
  });
});

describe('detectVllm on Windows (scripted wsl.exe)', () => {
  const result = (p: Partial<ToolResult>): ToolResult => ({
    ok: true,
    code: 0,
    signal: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    missing: false,
    error: null,
    durationMs: 1,
    ...p,
  });
  const probeOut =
    '{"vllm": "0.11.0", "python": "3.12.3", "torch": "2.8.0+cu128", "cuda": "12.8", "cuda_available": true, "gpus": [{"name": "NVIDIA GeForce RTX 4070", "total_memory": 12878086144, "capability": [8, 9]}]}\n';

  it('lists distros, finds the venv inside, probes its python through wsl -e', async () => {
    const calls: string[][] = [];
    const run: RunTool = async (cmd, args) => {
      calls.push([cmd, ...args]);
      if (cmd !== 'wsl') return result({ ok: false, missing: true });
      if (args[0] === '-l') return result({ stdout: Buffer.from('Ubuntu-24.04\r\n', 'utf16le').toString('utf8') });
      if (args.includes('sh')) return result({ stdout: '/home/u/.venvs/vllm/bin/vllm\n' });
      if (args.includes('-c')) return result({ stdout: probeOut });
      return result({ ok: false, code: 1 });
    };
    const d = await detectVllm({ env: {}, platform: 'win32', runTool: run });
    expect(d.installs).toHaveLength(1);
    expect(d.installs[0]).toMatchObject({
      id: 'wsl:Ubuntu-24.04:/home/u/.venvs/vllm/bin/vllm',
      source: 'wsl',
      command: ['wsl', '-d', 'Ubuntu-24.04', '-e', '/home/u/.venvs/vllm/bin/vllm'],
      usable: true,
    });
    expect(
      calls.some((c) => c.slice(0, 5).join(' ') === 'wsl -d Ubuntu-24.04 -e /home/u/.venvs/vllm/bin/python3'),
    ).toBe(true);
    expect(d.guide.platform).toBe('wsl');
  });

  it('no WSL: no installs, the guide starts with installing WSL2', async () => {
    const run: RunTool = async () => result({ ok: false, missing: true, code: null });
    const d = await detectVllm({ env: {}, platform: 'win32', runTool: run });
    expect(d.installs).toEqual([]);
    expect(d.guide.platform).toBe('windows-no-wsl');
  });
});
