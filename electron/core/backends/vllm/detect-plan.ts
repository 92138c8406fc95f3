/**
 * Pure: the decisions of vLLM detection (detect.ts does the I/O). What a probed candidate is (usable, or which
 * problem), which interpreter a `vllm` script runs on (its shebang), what `wsl -l -q` lists, how a Windows path reads
 * inside WSL, and the install guide for this platform (the exact commands to copy; we never install Python packages).
 * Table-tested in detect-plan.test.ts.
 */
import type { VllmInstall, VllmInstallGuide } from '../../../shared/backends';
import { AppError } from '../../../shared/errors';
import { compareVersions, parseVllmVersion, usableGpus, type ProbeResult } from './detect-parse';

/**
 * The oldest vLLM our `vllm serve` command line works with: `--reasoning-parser` alone separates the thinking
 * (`--enable-reasoning` is an unrecognized argument from 0.10.0, and needed before), the model is the positional
 * `model_tag`, and the key comes from VLLM_API_KEY (scripts/fake-vllm/SOURCES.md).
 */
export const MIN_VLLM_VERSION = '0.10.0';

/** vLLM's CLI as a Python module (there is no `vllm/__main__.py`, so `python -m vllm` does not run). */
export const VLLM_MODULE = 'vllm.entrypoints.cli.main';

/** A place vLLM may be installed, before it is probed. */
export interface VllmCandidate {
  id: string;
  source: VllmInstall['source'];
  /** The argv prefix that runs vLLM's CLI (then `serve …`). */
  command: string[];
  /** The argv prefix that runs that install's Python (then `-c PROBE`); null when not known. */
  python: string[] | null;
}

/** What the probes of one candidate gave. */
export interface CandidateProbe {
  /** `python -c VLLM_PROBE`, parsed; null when there was no Python to run it with. */
  probe: ProbeResult | null;
  /** The probe did not answer in time. */
  timedOut: boolean;
  /** `vllm --version` stdout, when it was run (the probe gave no version); null otherwise. */
  versionOut: string | null;
}

/**
 * A probed candidate → the install to report, or null when there is nothing there (a Python without vLLM, a `vllm`
 * that is not one). A 'python' candidate is kept only when it has vLLM; others are kept with their problem.
 */
export function installOf(c: VllmCandidate, r: CandidateProbe, platform: NodeJS.Platform): VllmInstall | null {
  const probe = r.probe;
  const info = probe?.kind === 'ok' ? probe.info : null;
  const version = info?.version ?? (r.versionOut !== null ? parseVllmVersion(r.versionOut) : null);
  const notInstalled = probe?.kind === 'not-installed';
  if (!info && c.source === 'python' && (notInstalled || !version)) return null;
  const noVllm = probe?.kind === 'not-installed' && probe.module === 'vllm';
  if (!info && !version && (noVllm || probe === null) && !r.timedOut) return null;
  const base: VllmInstall = {
    id: c.id,
    source: c.source,
    command: c.command,
    version,
    python: info?.python ?? null,
    torch: info?.torch ?? null,
    cuda: info?.cuda ?? null,
    gpus: (info?.gpus ?? []).map((g, index) => ({
      index,
      name: g.name,
      memoryMiB: Math.round(g.memoryBytes / 2 ** 20),
      capability: g.capability,
    })),
    usable: false,
    problem: null,
  };
  const problem = (e: AppError): VllmInstall => ({ ...base, problem: e.toInfo() });
  if (platform === 'darwin') return problem(new AppError('VLLM_UNSUPPORTED_PLATFORM', { platform: 'macOS' }));
  if (!info) {
    const reason = r.timedOut
      ? 'its Python did not answer in time'
      : probe === null
        ? 'the Python it runs on was not found'
        : probe.kind === 'not-installed'
          ? `${probe.module} is not installed in the Python it runs on`
          : (probe.kind !== 'ok' && probe.detail) || 'the check printed nothing';
    return problem(new AppError('VLLM_PYTHON_ENV', { reason }));
  }
  if (compareVersions(info.version, MIN_VLLM_VERSION) < 0)
    return problem(new AppError('VLLM_TOO_OLD', { version: info.version, min: MIN_VLLM_VERSION }));
  if (!info.cuda) return problem(new AppError('VLLM_NO_GPU', { reason: `torch ${info.torch} is built without CUDA` }));
  if (!info.cudaAvailable || info.gpus.length === 0)
    return problem(new AppError('VLLM_NO_GPU', { reason: 'torch.cuda.is_available() is False' }));
  if (usableGpus(info).length === 0) {
    const g = info.gpus[0]!;
    return problem(
      new AppError('VLLM_NO_GPU', { reason: `${g.name} has compute capability ${g.capability}; vLLM needs 7.0` }),
    );
  }
  return { ...base, usable: true };
}

/** Same environment twice (PATH's `vllm` is a venv's, PATH's python3 is that venv's): the first one found stays. */
export function dedupeInstalls(installs: VllmInstall[], keys: string[]): VllmInstall[] {
  const seen = new Set<string>();
  const out: VllmInstall[] = [];
  installs.forEach((inst, i) => {
    const k = keys[i] ?? inst.id;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(inst);
  });
  return out;
}

/** `#!/opt/venv/bin/python3.12` → that interpreter (pip's console scripts); `#!/usr/bin/env python3` → python3. */
export function pythonFromShebang(firstLine: string): string[] | null {
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine.trim());
  if (!m) return null;
  const [, exe, arg] = m;
  const base = exe!.split('/').pop()!;
  if (/^python[\d.]*$/.test(base)) return [exe!];
  if (base === 'env' && arg && /^python[\d.]*$/.test(arg)) return [arg];
  return null;
}

/**
 * `wsl -l -q` → distro names. wsl.exe writes UTF-16LE (NULs between the letters when read as UTF-8, a BOM) unless
 * WSL_UTF8=1; docker-desktop's helper distros run no user software and are skipped.
 */
export function parseWslList(out: string): string[] {
  return (
    out
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000\uFEFF\uFFFD]/g, '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => /^[\w.-]{1,64}$/.test(l) && !/^docker-desktop/.test(l))
  );
}

/** A Windows path as WSL mounts it: `C:\models\x` → `/mnt/c/models/x`; a POSIX path is left as it is. */
export function toWslPath(p: string): string {
  const m = /^([A-Za-z]):[\\/](.*)$/.exec(p);
  if (!m) return p.replace(/\\/g, '/');
  return `/mnt/${m[1]!.toLowerCase()}/${m[2]!.replace(/\\/g, '/')}`;
}

/**
 * The environment for a command run through wsl.exe: variables reach the Linux side only when WSLENV names them
 * (`/u`: Windows → WSL only), so the key and the settings vLLM reads are added there.
 */
export function wslEnv(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  const have = (env.WSLENV ?? '').split(':').filter(Boolean);
  const add = names.filter((n) => env[n] !== undefined && !have.some((h) => h.split('/')[0] === n));
  return { ...env, WSLENV: [...have, ...add.map((n) => `${n}/u`)].join(':') };
}

/** The script that lists `vllm` executables inside a WSL distro (PATH, then the usual venv/conda places). */
export const WSL_LIST_SCRIPT = [
  'for p in "$(command -v vllm 2>/dev/null)" "$HOME"/.local/bin/vllm "$HOME"/.venv*/bin/vllm "$HOME"/.venvs/*/bin/vllm "$HOME"/*/.venv/bin/vllm',
  '  "$HOME"/venvs/*/bin/vllm "$HOME"/.virtualenvs/*/bin/vllm "$HOME"/miniconda3/bin/vllm "$HOME"/miniconda3/envs/*/bin/vllm',
  '  "$HOME"/anaconda3/bin/vllm "$HOME"/anaconda3/envs/*/bin/vllm /opt/conda/bin/vllm /opt/conda/envs/*/bin/vllm; do',
  '  [ -n "$p" ] && [ -x "$p" ] && echo "$p"',
  'done',
].join('\n');

/** Its output → absolute paths (deduplicated, hostile lines dropped). */
export function parseWslPaths(out: string): string[] {
  const seen = new Set<string>();
  for (const l of out.split(/\r?\n/)) {
    const p = l.trim();
    if (/^\/[^\0\n]{1,1000}\/vllm$/.test(p)) seen.add(p);
  }
  return [...seen];
}

/** Where WSL's vLLM python lives beside its `vllm` script (same bin folder), else the distro's python3. */
export function wslPythonFor(vllmPath: string): string {
  return vllmPath === '/usr/bin/vllm' || vllmPath === '/usr/local/bin/vllm' || vllmPath.endsWith('/.local/bin/vllm')
    ? 'python3'
    : vllmPath.replace(/\/vllm$/, '/python3');
}

const LINUX_STEPS = (venv: string, py = 'python3'): VllmInstallGuide['steps'] => [
  { id: 'nvidia', commands: ['nvidia-smi'] },
  { id: 'python', commands: [`${py} --version`] },
  { id: 'venv', commands: [`${py} -m venv ${venv}`, `${venv}/bin/python -m pip install --upgrade pip`] },
  { id: 'install', commands: [`${venv}/bin/pip install vllm`] },
  {
    id: 'check',
    commands: [
      `${venv}/bin/vllm --version`,
      `${venv}/bin/python -c "import torch; print(torch.cuda.is_available(), torch.cuda.device_count())"`,
    ],
  },
];

/**
 * The guide for this machine. Step ids (the renderer's i18n keys kinds vllm.guide.<id>): nvidia, python, venv,
 * install, check, recheck (Linux and inside WSL); wsl-install, wsl-distro, wsl-nvidia (Windows); macos (macOS).
 */
export function installGuide(
  platform: NodeJS.Platform,
  wsl: { available: boolean; distros: string[] } = { available: false, distros: [] },
): VllmInstallGuide {
  if (platform === 'linux') return { platform: 'linux', steps: [...LINUX_STEPS('~/.venvs/vllm'), RECHECK] };
  if (platform === 'win32') {
    if (!wsl.available || wsl.distros.length === 0) {
      return {
        platform: 'windows-no-wsl',
        steps: [
          { id: 'wsl-install', commands: ['wsl --install -d Ubuntu-24.04'] },
          { id: 'wsl-nvidia', commands: ['wsl -d Ubuntu-24.04 -e nvidia-smi'] },
          ...LINUX_STEPS('~/.venvs/vllm').map((s) => ({
            ...s,
            commands: s.commands.map((c) => `wsl -d Ubuntu-24.04 -- ${c}`),
          })),
          RECHECK,
        ],
      };
    }
    const d = wsl.distros[0]!;
    return {
      platform: 'wsl',
      steps: [
        { id: 'wsl-distro', commands: [`wsl -d ${d} -e sh -c "cat /etc/os-release | head -2"`] },
        { id: 'wsl-nvidia', commands: [`wsl -d ${d} -e nvidia-smi`] },
        ...LINUX_STEPS('~/.venvs/vllm').map((s) => ({ ...s, commands: s.commands.map((c) => `wsl -d ${d} -- ${c}`) })),
        RECHECK,
      ],
    };
  }
  return { platform: 'unsupported', steps: [{ id: 'macos', commands: [] }] };
}

/**
 * The last step: look again (the re-check button). ~/.venvs/* is one of the places detection looks; an install
 * elsewhere is found through the DEEPLOCAL_VLLM environment variable (the path of its `vllm`).
 */
const RECHECK = { id: 'recheck', commands: [] as string[] };
