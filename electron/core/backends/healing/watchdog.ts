/**
 * The hang watchdog of the self-healing supervision: while a run is ready it asks the backend's /health and /slots
 * every few seconds (each with a timeout). Any answer, even an error status, means the process is alive; when both
 * stay silent for the hang timeout, `onHung` is called once and the watchdog stops (the supervisor ends the run).
 */
import type { Health } from '../backend';

export interface WatchdogDeps {
  fetch: typeof fetch;
  health: () => Promise<Health>;
  /** Where the run's /slots is, with its key; null when it serves none. */
  slots: () => { url: string; apiKey: string } | null;
  intervalMs: number;
  /** Silence longer than this is a hang (read at each check, so a settings change applies). */
  timeoutMs: () => number;
  now: () => number;
  onHung: (silentMs: number) => void;
}

/** Pure: silent for longer than the timeout. */
export function isHung(answeredAt: number, now: number, timeoutMs: number): boolean {
  return now - answeredAt >= timeoutMs;
}

export class HangWatchdog {
  private runId: number | null = null;
  private token = 0;
  constructor(private readonly deps: WatchdogDeps) {}

  /** Watches the run `runId` (again a no-op while it already does). */
  start(runId: number): void {
    if (this.runId === runId) return;
    this.stop();
    this.runId = runId;
    void this.loop(++this.token);
  }

  stop(): void {
    this.runId = null;
    this.token++;
  }

  private async loop(token: number) {
    const d = this.deps;
    let answeredAt = d.now();
    while (token === this.token) {
      await new Promise<void>((r) => setTimeout(r, d.intervalMs).unref?.());
      if (token !== this.token) return;
      const timeoutMs = d.timeoutMs();
      const probeMs = Math.max(500, Math.min(timeoutMs, 5000));
      const [health, slots] = await Promise.all([d.health(), this.probeSlots(probeMs)]);
      if (token !== this.token) return;
      const now = d.now();
      if (health !== 'unreachable' || slots) answeredAt = now;
      else if (isHung(answeredAt, now, timeoutMs)) {
        this.stop();
        d.onHung(now - answeredAt);
        return;
      }
    }
  }

  /** True when /slots answered at all within `ms`. */
  private async probeSlots(ms: number): Promise<boolean> {
    const where = this.deps.slots();
    if (!where) return false;
    try {
      const res = await this.deps.fetch(where.url, {
        headers: { authorization: `Bearer ${where.apiKey}` },
        signal: AbortSignal.timeout(ms),
      });
      await res.arrayBuffer().catch(() => undefined);
      return true;
    } catch {
      return false;
    }
  }
}
