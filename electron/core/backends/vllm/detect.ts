/**
 * Finds installed vLLMs (issue 15 §1): candidates from the caller and DEEPLOCAL_VLLM, `vllm` on PATH, the usual venv
 * and conda places, `python3 -m vllm.entrypoints.cli.main` (and `python`), and on Windows each WSL2 distro. Each
 * candidate's Python runs our probe (detect-parse.ts VLLM_PROBE) with a deadline; what it says decides usable or the
 * problem (detect-plan.ts, pure). Never throws: a candidate that fails is reported with its problem, or dropped when
 * there is no vLLM there at all.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VllmDetection, VllmInstall } from '../../../shared/backends';
import { findExecutable, runTool as defaultRunTool, type RunTool } from '../../util/run-tool';
import { parseProbe, VLLM_PROBE } from './detect-parse';
import {
  dedupeInstalls,
  installGuide,
  installOf,
  parseWslList,
  parseWslPaths,
  pythonFromShebang,
  VLLM_MODULE,
  WSL_LIST_SCRIPT,
  wslPythonFor,
  type CandidateProbe,
  type VllmCandidate,
} from './detect-plan';

export interface DetectOptions {
  platform?: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Extra `vllm` executables (or venv folders, or Python interpreters) to look at first. */
  candidates?: string[];
  /** Per probe (importing vLLM and torch takes seconds; a first import after install can take a minute). */
  timeoutMs?: number;
  runTool?: RunTool;
  now?: () => number;
}

const exists = (p: string) =>
  fs.stat(p).then(
    (s) => s.isFile() || s.isDirectory(),
    () => false,
  );

async function firstLine(file: string): Promise<string> {
  const fh = await fs.open(file, 'r').catch(() => null);
  if (!fh) return '';
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
  } finally {
    await fh.close();
  }
}

/** A `vllm` executable → its candidate; the Python beside it (a venv's bin) or the one its shebang names. */
async function fromExecutable(exe: string, source: VllmInstall['source']): Promise<VllmCandidate> {
  const bin = path.dirname(exe);
  let python: string[] | null = null;
  for (const name of ['python3', 'python']) {
    if (await exists(path.join(bin, name))) {
      python = [path.join(bin, name)];
      break;
    }
  }
  python ??= pythonFromShebang(await firstLine(exe));
  return { id: `${source}:${exe}`, source, command: [exe], python };
}

/** A path from the caller or DEEPLOCAL_VLLM: a venv folder, a Python, or a `vllm` executable. */
async function fromSetting(p: string): Promise<VllmCandidate | null> {
  const st = await fs.stat(p).catch(() => null);
  if (!st) return null;
  if (st.isDirectory()) {
    const exe = path.join(p, 'bin', 'vllm');
    return (await exists(exe)) ? fromExecutable(exe, 'setting') : null;
  }
  if (/^python[\d.]*(?:\.exe)?$/i.test(path.basename(p)))
    return { id: `setting:${p}`, source: 'setting', command: [p, '-m', VLLM_MODULE], python: [p] };
  return fromExecutable(p, 'setting');
}

/** The folders whose bin/vllm we look for: venvs in the home folder, conda bases and their envs. */
async function envFolders(home: string, env: NodeJS.ProcessEnv): Promise<{ dir: string; conda: boolean }[]> {
  const out: { dir: string; conda: boolean }[] = [];
  const list = async (dir: string) =>
    (await fs.readdir(dir, { withFileTypes: true }).catch(() => []))
      .filter((d) => d.isDirectory() || d.isSymbolicLink())
      .map((d) => path.join(dir, d.name));
  if (env.VIRTUAL_ENV) out.push({ dir: env.VIRTUAL_ENV, conda: false });
  if (env.CONDA_PREFIX) out.push({ dir: env.CONDA_PREFIX, conda: true });
  for (const d of await list(home)) {
    const name = path.basename(d);
    // ~/.venv, ~/.venv-vllm, ~/vllm-env, … and a project's .venv (uv, poetry).
    if (/^\.?venv|vllm/i.test(name)) out.push({ dir: d, conda: false });
    if (!name.startsWith('.')) out.push({ dir: path.join(d, '.venv'), conda: false });
  }
  for (const parent of ['.venvs', 'venvs', '.virtualenvs', path.join('.pyenv', 'versions')])
    for (const d of await list(path.join(home, parent))) out.push({ dir: d, conda: false });
  const condaBases = [
    path.join(home, 'miniconda3'),
    path.join(home, 'anaconda3'),
    path.join(home, 'miniforge3'),
    '/opt/conda',
  ];
  for (const base of condaBases) {
    out.push({ dir: base, conda: true });
    for (const d of await list(path.join(base, 'envs'))) out.push({ dir: d, conda: true });
  }
  return out;
}

async function localCandidates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<VllmCandidate[]> {
  const out: VllmCandidate[] = [];
  const onPath = await findExecutable('vllm', env, platform);
  if (onPath) out.push(await fromExecutable(onPath, 'path'));
  const home = env.HOME || os.homedir();
  for (const { dir, conda } of await envFolders(home, env)) {
    const exe = path.join(dir, 'bin', 'vllm');
    if (await exists(exe)) out.push(await fromExecutable(exe, conda ? 'conda' : 'venv'));
  }
  for (const py of ['python3', 'python']) {
    const p = await findExecutable(py, env, platform);
    if (p) out.push({ id: `python:${p}`, source: 'python', command: [p, '-m', VLLM_MODULE], python: [p] });
  }
  return out;
}

/** Each WSL distro's `vllm` executables (Windows). */
async function wslCandidates(
  run: RunTool,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ available: boolean; distros: string[]; candidates: VllmCandidate[] }> {
  const wslEnv = { ...env, WSL_UTF8: '1' };
  const list = await run('wsl', ['-l', '-q'], { env: wslEnv, timeoutMs: 15_000 });
  if (!list.ok) return { available: false, distros: [], candidates: [] };
  const distros = parseWslList(list.stdout);
  const candidates: VllmCandidate[] = [];
  for (const d of distros) {
    const r = await run('wsl', ['-d', d, '-e', 'sh', '-c', WSL_LIST_SCRIPT], { env: wslEnv, timeoutMs });
    for (const p of parseWslPaths(r.stdout)) {
      candidates.push({
        id: `wsl:${d}:${p}`,
        source: 'wsl',
        command: ['wsl', '-d', d, '-e', p],
        python: ['wsl', '-d', d, '-e', wslPythonFor(p)],
      });
    }
  }
  return { available: true, distros, candidates };
}

async function probeCandidate(
  c: VllmCandidate,
  run: RunTool,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<CandidateProbe> {
  let probe: CandidateProbe['probe'] = null;
  let timedOut = false;
  if (c.python) {
    const r = await run(c.python[0]!, [...c.python.slice(1), '-c', VLLM_PROBE], { env, timeoutMs, killGroup: true });
    timedOut = r.timedOut;
    if (!r.missing && !r.timedOut) probe = parseProbe(r.stdout, r.stderr);
  }
  let versionOut: string | null = null;
  if (probe?.kind !== 'ok' && c.source !== 'python' && !timedOut) {
    const r = await run(c.command[0]!, [...c.command.slice(1), '--version'], { env, timeoutMs, killGroup: true });
    if (r.ok) versionOut = r.stdout;
  }
  return { probe, timedOut, versionOut };
}

/** Runs `f` over `items`, at most `limit` at once, keeping the order. */
async function mapLimited<T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Same environment: the interpreter (a venv's python is its own, even when it links to the system's). */
function envKey(c: VllmCandidate): string {
  return c.python ? c.python.join('\0') : c.command.join('\0');
}

export async function detectVllm(o: DetectOptions): Promise<VllmDetection> {
  const platform = o.platform ?? process.platform;
  const run = o.runTool ?? defaultRunTool;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const now = o.now ?? Date.now;
  const env = o.env;
  try {
    const wanted = [...(o.candidates ?? []), ...(env.DEEPLOCAL_VLLM ?? '').split(path.delimiter)].filter(Boolean);
    const candidates: VllmCandidate[] = [];
    for (const p of wanted) {
      const c = await fromSetting(p);
      if (c) candidates.push(c);
    }
    let wsl = { available: false, distros: [] as string[] };
    if (platform === 'win32') {
      const w = await wslCandidates(run, env, timeoutMs);
      wsl = { available: w.available, distros: w.distros };
      candidates.push(...w.candidates);
    } else {
      candidates.push(...(await localCandidates(env, platform)));
    }
    // One probe per environment (the same venv is often found as PATH's vllm, a venv and PATH's python3).
    const unique = candidates.filter((c, i) => candidates.findIndex((d) => envKey(d) === envKey(c)) === i);
    const probes = await mapLimited(unique, 3, (c) => probeCandidate(c, run, env, timeoutMs));
    const found: { inst: VllmInstall; key: string }[] = [];
    unique.forEach((c, i) => {
      const inst = installOf(c, probes[i]!, platform);
      if (inst) found.push({ inst, key: envKey(c) });
    });
    const installs = dedupeInstalls(
      found.map((f) => f.inst),
      found.map((f) => f.key),
    );
    return {
      installs,
      preferred: installs.find((i) => i.usable)?.id ?? null,
      guide: installGuide(platform, wsl),
      checkedAt: now(),
    };
  } catch {
    return { installs: [], preferred: null, guide: installGuide(platform), checkedAt: now() };
  }
}
