/**
 * What the parts of the quantization feature promise each other (issue 14). The tool runners (quantize/, quality/)
 * run one llama.cpp tool each and report progress; the work queue (work-queue.ts) orders and persists jobs; the
 * compose layer (compose/quant.ts) checks requests and wires them to the library and the runtime.
 */
import type { WorkPhase } from '../../shared/quant';

/** The tools beside the active runtime's llama-server (same folder, same build). */
export interface QuantTools {
  quantize: string;
  imatrix: string;
  perplexity: string;
  /** The llama.cpp build they come from (runtime id / commit), recorded in provenance and quality results. */
  build: string;
}

export interface RunProgress {
  phase: WorkPhase;
  /** Units of this phase done and in all (tensors for quantize, chunks for imatrix / perplexity / KLD). */
  done: number;
  total: number;
}

/** Given to a runner by the work queue. */
export interface RunContext {
  /** Aborted by work.cancel (and on app exit): the runner kills its process and removes its partial output. */
  signal: AbortSignal;
  /** Progress as the tool's output tells it; the queue computes speed, ETA and the overall fraction. */
  report(p: RunProgress): void;
  /** A line for the job's log (the backend log ring). */
  log(line: string): void;
  /** Each child process as it starts (tests kill one mid-run). */
  onChild?(pid: number): void;
}
