/** The hardware report as plain text for bug reports ("copy as text"). English on purpose: it goes to maintainers. Pure. */
import type { HardwareReport, ReportRuntime } from '../../shared/telemetry';

const GiB = 1024 ** 3;

export function formatBytes(b: number | null): string {
  if (b === null) return 'unknown';
  if (b >= 1024 * GiB) return `${(b / 1024 / GiB).toFixed(2)} TiB`;
  return `${(b / GiB).toFixed(1)} GiB`;
}

const mib = (v: number | null) => (v === null ? 'unknown' : `${v} MiB`);
const yes = (b: boolean) => (b ? 'yes' : 'no');

export function formatHardwareReport(r: HardwareReport): string {
  const lines: string[] = [];
  lines.push(
    `DeepLocal hardware report — ${new Date(r.probedAt).toISOString()} (probed in ${Math.round(r.durationMs)} ms)`,
  );
  lines.push('');
  lines.push(
    `OS:     ${[r.os.distro || r.os.platform, r.os.release].filter(Boolean).join(' ')} (${r.os.platform}, ${r.os.arch})  [${r.os.source}]`,
  );
  lines.push(
    `CPU:    ${r.cpu.model || 'unknown'} — ${r.cpu.cores} cores / ${r.cpu.threads} threads; AVX2 ${yes(r.cpu.avx2)}, AVX-512 ${yes(r.cpu.avx512)}, NEON ${yes(r.cpu.neon)}  [${r.cpu.source}]`,
  );
  lines.push(
    `RAM:    ${formatBytes(r.memory.totalBytes)} total, ${formatBytes(r.memory.availableBytes)} available  [${r.memory.source}]`,
  );
  lines.push(
    `Disk:   ${r.disk.path} — ${formatBytes(r.disk.freeBytes)} free of ${formatBytes(r.disk.totalBytes)}  [${r.disk.source}]`,
  );
  lines.push('');
  if (r.gpus.length === 0) lines.push('GPUs:   none found');
  for (const g of r.gpus) {
    lines.push(
      `GPU ${g.index}:  ${g.name} (${g.vendor}${g.unifiedMemory ? ', unified memory' : ''})${g.uuid ? `  ${g.uuid}` : ''}`,
    );
    lines.push(
      `        VRAM ${mib(g.vramTotalMiB.value)} total [${g.vramTotalMiB.source}], ${mib(g.vramFreeMiB.value)} free [${g.vramFreeMiB.source}]`,
    );
    const extra = [
      g.driverVersion.value ? `driver ${g.driverVersion.value} [${g.driverVersion.source}]` : null,
      g.cudaVersion ? `CUDA ${g.cudaVersion}` : null,
      g.computeCapability ? `compute capability ${g.computeCapability}` : null,
    ].filter(Boolean);
    if (extra.length) lines.push(`        ${extra.join(', ')}`);
    lines.push(
      `        backend device: ${g.backendDevice ? `${g.backendDevice.name} (${g.backendDevice.description})` : 'none (llama-server does not use this GPU)'}`,
    );
  }
  lines.push('');
  if (r.runtime) lines.push(...runtimeLines(r.runtime), '');
  lines.push('Backend devices (llama-server --list-devices):');
  if (r.backendDevices.length === 0)
    lines.push(
      r.backendListed === undefined
        ? '  none'
        : r.backendListed
          ? '  none listed (models run on the CPU)'
          : '  unknown (no device list from the runtime)',
    );
  for (const d of r.backendDevices)
    lines.push(`  ${d.name}: ${d.description} (${mib(d.totalMiB)}, ${mib(d.freeMiB)} free)`);
  if (r.disagreements.length) {
    lines.push('');
    lines.push('Disagreements:');
    for (const d of r.disagreements)
      lines.push(`  ${d.field}: ${d.values.map((v) => `${v.source} ${v.value}`).join(', ')} → using ${d.preferred}`);
  }
  if (r.notes.length) {
    lines.push('');
    lines.push('Notes:');
    for (const n of r.notes) lines.push(`  ${n.tool}: ${n.message}`);
  }
  return lines.join('\n') + '\n';
}

/** The llama.cpp runtime the devices come from: which, why, and what failed before it. */
function runtimeLines(rt: ReportRuntime): string[] {
  const lines = [`Runtime: ${rt.summary}`];
  if (rt.id) {
    const what = [rt.variant, rt.source, rt.tag].filter(Boolean).join(', ');
    lines.push(`  active: ${rt.id} (${what}); setting ${rt.setting}${rt.reason ? `; ${rt.reason.message}` : ''}`);
  } else lines.push(`  active: none; setting ${rt.setting}`);
  for (const f of rt.fallbacks)
    lines.push(`  fell back from ${f.runtimeId} (${f.variant}): ${f.problem?.message ?? 'failed'}`);
  if (rt.gpuUnusable)
    lines.push(
      `  unused GPU: ${rt.gpuUnusable.gpus.join(', ')}${rt.gpuUnusable.suggest ? `; suggested runtime: ${rt.gpuUnusable.suggest}` : ''}`,
    );
  return lines;
}
