/**
 * nvidia-smi's power and clock commands as data: the argv we run, what its text means (its exit code does not:
 * "not supported" exits 0), and the command a user can run by hand when we lack the rights. Pure.
 */

export type PowerOutcome =
  | { kind: 'ok'; appliedW: number | null; previousW: number | null; text: string }
  | { kind: 'permission'; text: string }
  | { kind: 'range'; minW: number; maxW: number; text: string }
  | { kind: 'unsupported'; text: string }
  | { kind: 'driver'; text: string }
  | { kind: 'failed'; text: string };

export const setLimitArgs = (gpu: number, watts: number): string[] => ['-i', String(gpu), '-pl', formatWatts(watts)];
export const lockClocksArgs = (gpu: number, minMHz: number, maxMHz: number): string[] => [
  '-i',
  String(gpu),
  '-lgc',
  `${minMHz},${maxMHz}`,
];
export const resetClocksArgs = (gpu: number): string[] => ['-i', String(gpu), '-rgc'];

/** nvidia-smi takes watts with up to two decimals. */
export function formatWatts(w: number): string {
  return Number.isInteger(w) ? String(w) : w.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

/** Reads what nvidia-smi printed for -pl / -lgc / -rgc. */
export function parsePowerOutput(text: string, exitCode: number | null): PowerOutcome {
  const t = text.trim();
  // -pl without rights: "Failed to set power management limit … : Insufficient Permissions"; -lgc / -rgc / -ac
  // without rights: "The current user does not have permission to change clocks for GPU …" (exit 4).
  if (/Insufficient Permissions|does not have permission|not permitted|requires? (root|administrator)/i.test(t))
    return { kind: 'permission', text: t };
  const range = /is not a valid power limit which should be between\s+([\d.]+)\s*W and\s+([\d.]+)\s*W/i.exec(t);
  if (range) return { kind: 'range', minW: Number(range[1]), maxW: Number(range[2]), text: t };
  if (/couldn't communicate with the NVIDIA driver|Failed to initialize NVML/i.test(t))
    return { kind: 'driver', text: t };
  // "Changing power management limit is not supported …" / "Setting locked GPU clocks is not supported …",
  // printed with exit code 0 and "All done." — the reason the exit code cannot be trusted.
  if (/is not supported/i.test(t)) return { kind: 'unsupported', text: t };
  const set = /Power limit for GPU \S+ was set to\s+([\d.]+)\s*W from\s+([\d.]+)\s*W/i.exec(t);
  if (set) return { kind: 'ok', appliedW: Number(set[1]), previousW: Number(set[2]), text: t };
  if (/GPU clocks set to/i.test(t) || (/All done\./i.test(t) && exitCode === 0))
    return { kind: 'ok', appliedW: null, previousW: null, text: t };
  if (!t && exitCode === 0) return { kind: 'ok', appliedW: null, previousW: null, text: t };
  return { kind: 'failed', text: t || `nvidia-smi exited with code ${exitCode}` };
}

/** The line a user can paste to do it themselves, per platform. */
export function manualCommand(args: string[], platform: string = process.platform): string {
  if (platform === 'win32') return `Start-Process nvidia-smi -ArgumentList '${args.join(' ')}' -Verb RunAs`;
  return `sudo nvidia-smi ${args.join(' ')}`;
}
