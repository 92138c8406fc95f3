/**
 * Fingerprints that tell whether a saved model profile still applies. A model's: its size and a SHA-256 of its
 * first bytes (the GGUF header — metadata and tensor table — and the start of the weights): a replaced or
 * re-quantized file under the same name no longer matches, without hashing gigabytes. The machine's: GPUs (name,
 * memory), CPU model and cores, RAM rounded to GiB, and the active runtime: a new GPU, a driver that shows less
 * memory or another runtime means the measured speeds no longer hold.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { HardwareReport } from '../../shared/telemetry';

/** How much of the file's head is hashed: the header of any GGUF we meet, read in one go. */
export const HEAD_BYTES = 4 * 1024 * 1024;

export async function modelFingerprint(file: string, headBytes = HEAD_BYTES): Promise<string> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(headBytes, size));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const sha = createHash('sha256').update(buf.subarray(0, got)).digest('hex');
    return `${size}:${sha.slice(0, 32)}`;
  } finally {
    await fh.close();
  }
}

/** What of the machine the fingerprint covers (pure: tests pass it by hand). */
export interface HardwareIdentity {
  gpus: { name: string; memoryMiB: number | null }[];
  cpu: { model: string; cores: number; threads: number };
  ramGiB: number;
  runtimeId: string | null;
}

export function hardwareIdentity(r: HardwareReport, runtimeId: string | null): HardwareIdentity {
  // The vendor tools' GPUs (stable across probes); where they see none (Vulkan on Mesa), the runtime's devices.
  const gpus = r.gpus.length
    ? r.gpus.map((g) => ({ name: g.name, memoryMiB: g.vramTotalMiB.value }))
    : r.backendDevices.map((d) => ({ name: d.description || d.name, memoryMiB: d.totalMiB }));
  return {
    gpus: gpus.map((g) => ({
      name: g.name,
      memoryMiB: g.memoryMiB === null ? null : Math.round(g.memoryMiB / 256) * 256,
    })),
    cpu: { model: r.cpu.model, cores: r.cpu.cores, threads: r.cpu.threads },
    ramGiB: Math.round(r.memory.totalBytes / 1024 ** 3),
    runtimeId: runtimeId ?? r.runtime?.id ?? null,
  };
}

export function hardwareFingerprint(id: HardwareIdentity): string {
  const canonical = JSON.stringify([
    id.gpus.map((g) => [g.name, g.memoryMiB]),
    [id.cpu.model, id.cpu.cores, id.cpu.threads],
    id.ramGiB,
    id.runtimeId,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
