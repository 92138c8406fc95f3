/** `llama-server --list-devices`: the devices the backend itself can use (its ground truth). Pure. */
import type { BackendDevice } from '../../shared/telemetry';

// "  CUDA0: NVIDIA GeForce RTX 4090 (24080 MiB, 22036 MiB free)" — the description may contain parentheses.
const LINE = /^\s+([^\s:]+):\s+(.*?)\s+\((\d+) MiB, (\d+) MiB free\)\s*$/;

export function parseListDevices(text: string): BackendDevice[] | null {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^Available devices:/.test(l.trim()));
  if (start < 0) return null;
  const out: BackendDevice[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = LINE.exec(line);
    // Apple builds also list "BLAS: Accelerate (0 MiB, 0 MiB free)": a CPU math library, not a device to offload to.
    if (m) {
      if (m[1] !== 'BLAS') out.push({ name: m[1]!, description: m[2]!, totalMiB: Number(m[3]), freeMiB: Number(m[4]) });
    } else if (line.trim() && !/^\s/.test(line)) break;
  }
  return out;
}

/** Which vendor a backend device belongs to, from its backend name and description. */
export function backendDeviceVendor(d: BackendDevice): 'nvidia' | 'amd' | 'intel' | 'apple' | 'other' {
  if (/^CUDA\d/i.test(d.name) || /nvidia|geforce|quadro|tesla|rtx/i.test(d.description)) return 'nvidia';
  if (/^(ROCm|HIP)\d/i.test(d.name) || /\bamd\b|radeon|instinct/i.test(d.description)) return 'amd';
  if (/^(MTL|Metal)/i.test(d.name) || /\bapple\b/i.test(d.description)) return 'apple';
  if (/intel|arc\b|uhd|iris/i.test(d.description) || /^SYCL/i.test(d.name)) return 'intel';
  return 'other';
}

/** Native backends (CUDA, ROCm, Metal) are what llama-server prefers over Vulkan for the same GPU. */
export function backendRank(d: BackendDevice): number {
  if (/^(CUDA|ROCm|HIP|MTL|Metal|SYCL)/i.test(d.name)) return 0;
  if (/^Vulkan/i.test(d.name)) return 1;
  return 2;
}
