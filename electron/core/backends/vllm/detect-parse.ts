/**
 * Pure: what an installed vLLM says about itself. The detector (I/O, issue 15) runs `vllm --version` and
 * `python -c VLLM_PROBE` (in the venv, conda env or WSL distro it found) and hands the output here.
 *
 * `vllm --version` is argparse's version action printing importlib.metadata.version("vllm") on stdout
 * (vllm/entrypoints/cli/main.py), e.g. `0.11.0`, `0.10.1.1`, `0.11.1rc2.dev45+g1a2b3c4d`. The probe is ours: it imports
 * vllm and torch and prints one JSON line, or the Python error that stops it (ModuleNotFoundError when vLLM is not
 * in that Python, ImportError/OSError when CUDA libraries are missing).
 */

/** Printed by `python -c VLLM_PROBE`: one JSON object on one line. */
export const VLLM_PROBE = [
  'import json, platform',
  'import vllm, torch',
  'gpus = []',
  'if torch.cuda.is_available():',
  '    for i in range(torch.cuda.device_count()):',
  '        p = torch.cuda.get_device_properties(i)',
  '        gpus.append({"name": p.name, "total_memory": p.total_memory, "capability": [p.major, p.minor]})',
  'print(json.dumps({"vllm": vllm.__version__, "python": platform.python_version(), "torch": torch.__version__,',
  '    "cuda": torch.version.cuda, "cuda_available": torch.cuda.is_available(), "gpus": gpus}))',
].join('\n');

export interface VllmGpu {
  name: string;
  memoryBytes: number;
  /** e.g. "8.9"; vLLM needs ≥ 7.0. */
  capability: string;
}

export interface VllmInfo {
  version: string;
  python: string;
  torch: string;
  /** torch's CUDA build (torch.version.cuda); null for a CPU/ROCm build of torch. */
  cuda: string | null;
  cudaAvailable: boolean;
  gpus: VllmGpu[];
}

export type ProbeResult =
  | { kind: 'ok'; info: VllmInfo }
  /** That Python has no vLLM (or no torch). */
  | { kind: 'not-installed'; module: string; detail: string }
  /** vLLM is there but cannot import (CUDA runtime missing, a broken build). */
  | { kind: 'broken'; detail: string }
  | { kind: 'unreadable'; detail: string };

const VERSION_RE = /^v?(\d+\.\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?(?:\+[\w.]+)?)$/;

/** `vllm --version` stdout → the version, or null when the output is not one (a traceback, a usage error). */
export function parseVllmVersion(stdout: string): string | null {
  const lines = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  // Some installs print INFO lines (platform detection) before the version: the version is the last line.
  const last = lines.at(-1);
  if (!last) return null;
  const m = VERSION_RE.exec(last);
  return m ? m[1]! : null;
}

/** Compares dotted release numbers (pre-release and local parts ignored): <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const nums = (v: string) => (/^\d+(?:\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const x = nums(a);
  const y = nums(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 && v.length < 200 ? v : null;
}

function lastTracebackLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? '';
}

/** The probe's stdout and stderr → what the detector reports. Everything from outside is treated as hostile. */
export function parseProbe(stdout: string, stderr: string): ProbeResult {
  const jsonLine = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.startsWith('{') && l.endsWith('}'));
  if (jsonLine) {
    let o: unknown;
    try {
      o = JSON.parse(jsonLine);
    } catch {
      return { kind: 'unreadable', detail: jsonLine.slice(0, 200) };
    }
    if (o && typeof o === 'object') {
      const r = o as Record<string, unknown>;
      const version = str(r.vllm);
      const python = str(r.python);
      const torch = str(r.torch);
      if (version && python && torch) {
        const gpus: VllmGpu[] = [];
        for (const g of Array.isArray(r.gpus) ? r.gpus.slice(0, 64) : []) {
          if (!g || typeof g !== 'object') continue;
          const gg = g as Record<string, unknown>;
          const name = str(gg.name);
          const mem = typeof gg.total_memory === 'number' && gg.total_memory >= 0 ? gg.total_memory : null;
          const cap =
            Array.isArray(gg.capability) && gg.capability.every((n) => Number.isInteger(n)) ? gg.capability : null;
          if (name && mem !== null && cap && cap.length === 2) {
            gpus.push({ name, memoryBytes: mem, capability: `${cap[0]}.${cap[1]}` });
          }
        }
        return {
          kind: 'ok',
          info: { version, python, torch, cuda: str(r.cuda), cudaAvailable: r.cuda_available === true, gpus },
        };
      }
    }
    return { kind: 'unreadable', detail: jsonLine.slice(0, 200) };
  }
  const last = lastTracebackLine(stderr);
  const missing = /^ModuleNotFoundError: No module named '([\w.]+)'/.exec(last);
  if (missing && /^(vllm|torch)$/.test(missing[1]!)) {
    return { kind: 'not-installed', module: missing[1]!, detail: last };
  }
  if (
    /^(?:ModuleNotFoundError|ImportError|OSError|RuntimeError):/.test(last) ||
    /Traceback \(most recent call last\)/.test(stderr)
  ) {
    return { kind: 'broken', detail: last.slice(0, 300) };
  }
  return { kind: 'unreadable', detail: (last || stdout.trim()).slice(0, 200) };
}

/** GPUs vLLM can use: CUDA compute capability 7.0 or newer. */
export function usableGpus(info: VllmInfo): VllmGpu[] {
  return info.gpus.filter((g) => compareVersions(g.capability, '7.0') >= 0);
}
