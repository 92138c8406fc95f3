/**
 * The running model's share of VRAM, for the "model" mark on the VRAM chart. Asked once per model process (at load,
 * or when the sampler starts with a model running), not per tick: llama-server allocates weights, KV cache and
 * compute buffers at load and holds them while it runs. One `nvidia-smi --query-compute-apps` per process.
 */
import { computeAppsArgs, parseComputeApps, vramOfProcess } from '../gpu-tools/nvidia-smi';
import { findExecutable, type RunTool } from '../util/run-tool';

export class ModelVram {
  private known: { pid: number; mib: number } | null = null;
  private query: { pid: number; done: Promise<void> } | null = null;

  constructor(
    private readonly deps: {
      env: NodeJS.ProcessEnv;
      run: RunTool;
      /** The backend's pid while a model is loaded and serving, else null. */
      servingPid(): number | null;
      /** nvidia-smi's path if the sampler already found it. */
      nvidiaSmi(): string | null;
    },
  ) {}

  /** MiB the process `pid` holds, if that is the process we measured. */
  of(pid: number | null): number | null {
    return this.known && pid !== null && this.known.pid === pid ? this.known.mib : null;
  }

  refresh(): Promise<void> {
    const pid = this.deps.servingPid();
    if (pid === null) {
      this.known = null;
      return Promise.resolve();
    }
    if (this.known?.pid === pid) return Promise.resolve();
    // The load and a sampler start can ask at the same moment: one query per process.
    if (this.query?.pid !== pid) this.query = { pid, done: this.measure(pid) };
    return this.query.done;
  }

  forget(): void {
    this.known = null;
  }

  private async measure(pid: number): Promise<void> {
    const exe = this.deps.nvidiaSmi() ?? (await findExecutable('nvidia-smi', this.deps.env));
    if (!exe) return;
    const r = await this.deps.run(exe, computeAppsArgs(), { env: this.deps.env, timeoutMs: 4000 });
    const mib = vramOfProcess(parseComputeApps(r.stdout), pid);
    if (mib !== null && this.deps.servingPid() === pid) this.known = { pid, mib };
  }
}
