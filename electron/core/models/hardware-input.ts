/** Adapts the hardware probe's report (electron/shared/telemetry.ts) to the fit planner's plain input. Pure. */
import type { HardwareInput } from '../../shared/models';
import type { HardwareReport } from '../../shared/telemetry';
import type { RpcDevice } from '../../shared/backends';

const MiB = 1024 * 1024;

/**
 * GPUs the backend cannot use are left out: when the active runtime listed its devices and a GPU matched none of
 * them (a CPU-only build, a missing driver), planning layers onto it would promise speed that never comes. A list
 * with no device at all ("listed none") is such a list; only an unknown list (no runtime, or it failed before
 * listing) leaves the vendor tools' GPUs in. Reports from before runtimes had no `backendListed`: a non-empty list
 * was the only sign then.
 */
export function hardwareFromReport(r: HardwareReport): HardwareInput {
  const backendKnows = r.backendListed ?? r.backendDevices.length > 0;
  const gpus = r.gpus
    .filter((g) => !backendKnows || g.backendDevice !== null)
    .map((g) => {
      const free = g.backendDevice?.freeMiB ?? g.vramFreeMiB.value ?? 0;
      const total = g.backendDevice?.totalMiB ?? g.vramTotalMiB.value ?? free;
      return { index: g.index, name: g.name, freeBytes: free * MiB, totalBytes: total * MiB, bandwidthGBs: null };
    })
    .filter((g) => g.totalBytes > 0);
  return {
    gpus,
    ramAvailableBytes: r.memory.availableBytes,
    ramTotalBytes: r.memory.totalBytes,
    unifiedMemory: r.gpus.some((g) => g.unifiedMemory),
    ramBandwidthGBs: null,
  };
}

/** When no probe is available: RAM from the OS, no GPU. */
export function hardwareFromOs(totalBytes: number, availableBytes: number): HardwareInput {
  return {
    gpus: [],
    ramAvailableBytes: availableBytes,
    ramTotalBytes: totalBytes,
    unifiedMemory: false,
    ramBandwidthGBs: null,
  };
}

/**
 * The enabled RPC workers' devices (llama-server --rpc) as extra GPUs: llama.cpp places layers on them like on a
 * local device (RPC0, RPC1, … in --rpc order), so their free memory counts toward what fits. Their speed is a
 * guess like any GPU's without a known bandwidth; the network in between is not modelled.
 */
export function withRpcDevices(input: HardwareInput, devices: readonly RpcDevice[]): HardwareInput {
  if (devices.length === 0) return input;
  const first = input.gpus.reduce((m, g) => Math.max(m, g.index + 1), 0);
  return {
    ...input,
    gpus: [
      ...input.gpus,
      ...devices
        .filter((d) => d.totalBytes > 0)
        .map((d, i) => ({
          index: first + i,
          name: `RPC${i}`,
          freeBytes: d.freeBytes,
          totalBytes: d.totalBytes,
          bandwidthGBs: null,
        })),
    ],
  };
}
