/**
 * Runs something only while it is wanted: `listeners()` (someone listens on the bus) or a hold from the core.
 * When the last one goes it stops after a grace period, so a page switch or React's double mount does not respawn
 * nvidia-smi. Start/stop transitions run one at a time, each deciding from the demand at that moment.
 */
export interface DemandDeps {
  listeners(): number;
  graceMs: number;
  isRunning(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  log(line: string): void;
}

export class Demand {
  private holds = 0;
  private disposed = false;
  private stopTimer: ReturnType<typeof setTimeout> | null = null;
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(private readonly deps: DemandDeps) {}

  wanted(): boolean {
    return !this.disposed && (this.deps.listeners() > 0 || this.holds > 0);
  }

  /** Keeps it running until the returned release is called (idempotent). */
  hold(): () => void {
    this.holds++;
    this.reconcile();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.reconcile();
    };
  }

  /** Call when the demand may have changed (a listener came or went). */
  reconcile(): void {
    if (this.wanted()) {
      if (this.stopTimer) clearTimeout(this.stopTimer);
      this.stopTimer = null;
      this.enqueue();
    } else if (!this.stopTimer) {
      const grace = this.disposed ? 0 : this.deps.graceMs;
      this.stopTimer = setTimeout(() => {
        this.stopTimer = null;
        this.enqueue();
      }, grace);
      this.stopTimer.unref?.();
    }
  }

  private enqueue(): void {
    this.lifecycle = this.lifecycle
      .then(async () => {
        const want = this.wanted();
        if (want && !this.deps.isRunning()) await this.deps.start();
        else if (!want && this.deps.isRunning() && !this.stopTimer) await this.deps.stop();
      })
      // A failed transition must not wedge the chain for every later one.
      .catch((e: unknown) => this.deps.log(`telemetry: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Not wanted any more, whatever the demand: stops now and resolves when every transition has run. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = null;
    this.enqueue();
    await this.lifecycle;
  }
}
