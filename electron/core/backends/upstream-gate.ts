/**
 * Admission to one backend, shared by everything that sends it work (the OpenAI proxy and the chat service both
 * reach the backend through its endpoint (backend.ts), so `gateFor(endpoint)` hands both the same gate).
 *
 * Up to `maxInFlight` requests are open against the backend at once; the next `maxQueued` wait here in arrival
 * order; beyond that a request is refused at once with BACKEND_QUEUE_FULL (HTTP 503 + Retry-After), never with a
 * connection error. A waiter whose signal aborts (its client went away, or the user pressed Stop) leaves the queue.
 *
 * Sizing, from what llama-server can take. It generates for `slots` (-np) requests at once and keeps the others in
 * a FIFO queue of its own, but a request waiting there is not free: each open connection holds an HTTP thread (a
 * pool of n_threads_http plus up to 1024 on demand), and every waiting thread is woken for every token of every
 * stream (one condition variable, notify_all per result: server-queue.cpp). With 200 streams on 8 slots that herd
 * cost llama-server ~30 % more CPU for the same tokens (scripts/bench/streams.mjs). So 2 × slots go in, which keeps
 * the next task already queued inside llama-server when a slot frees (no round trip lost), and the rest wait here,
 * where waiting costs a socket and a body. The queue bounds that cost (1024); how long to wait is the client's call
 * (hanging up leaves the queue). A backend whose slots are unknown gets a generous 256 in flight, far below the
 * thread cap so /health and /metrics polls always find a thread.
 */
import { AppError } from '../../shared/errors';

export interface GateLimits {
  /** Requests open against the backend at once. */
  maxInFlight: number;
  /** Requests waiting for one of those places; one more is refused. */
  maxQueued: number;
}

const MAX_QUEUED = 1024;

/** The limits for a backend with `slots` parallel slots (undefined: not known). */
export function gateLimits(slots: number | undefined): GateLimits {
  return { maxInFlight: slots && slots > 0 ? 2 * Math.floor(slots) : 256, maxQueued: MAX_QUEUED };
}

export interface GateTicket {
  /** True when the request may go to the backend; false when it left the queue first (its signal aborted). */
  readonly ready: Promise<boolean>;
  /** Frees the place (or leaves the queue). Safe to call more than once. */
  release(): void;
}

export interface GateStats {
  inFlight: number;
  queued: number;
  limits: GateLimits;
}

/**
 * Seconds a refused client should wait: about when the requests already queued would have gone through, given how
 * long a request has held its place lately. 1 s when nothing is known yet; at most 60 s.
 */
export function retryAfterSeconds(meanHoldMs: number | null, queued: number, maxInFlight: number): number {
  if (meanHoldMs === null || !(meanHoldMs > 0)) return 1;
  const s = Math.ceil((meanHoldMs * Math.max(1, queued)) / Math.max(1, maxInFlight) / 1000);
  return Math.min(60, Math.max(1, s));
}

interface Waiter {
  admit: () => void;
}

export class UpstreamGate {
  private inFlight = 0;
  // A Set keeps insertion order (FIFO) and removes an aborted waiter in O(1).
  private readonly waiting = new Set<Waiter>();
  private meanHoldMs: number | null = null;

  constructor(
    private limits: GateLimits = gateLimits(undefined),
    private readonly now: () => number = () => performance.now(),
  ) {}

  stats(): GateStats {
    return { inFlight: this.inFlight, queued: this.waiting.size, limits: this.limits };
  }

  /** New limits apply from the next admission on; requests already running keep their places. */
  setLimits(limits: GateLimits): void {
    this.limits = {
      maxInFlight: Math.max(1, Math.floor(limits.maxInFlight)),
      maxQueued: Math.max(0, Math.floor(limits.maxQueued)),
    };
    this.pump();
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.size === 0;
  }

  /**
   * Takes a place or a spot in the queue. Throws BACKEND_QUEUE_FULL (with `retryAfterS`) when both are full, so a
   * caller can answer before doing anything else.
   */
  enter(signal?: AbortSignal): GateTicket {
    if (signal?.aborted) return { ready: Promise.resolve(false), release: () => undefined };
    // Someone already waiting goes first, even if a place is free this instant (it is about to be handed over).
    if (this.inFlight < this.limits.maxInFlight && this.waiting.size === 0) return this.running();
    if (this.waiting.size >= this.limits.maxQueued) {
      throw new AppError('BACKEND_QUEUE_FULL', {
        queued: this.waiting.size,
        retryAfterS: retryAfterSeconds(this.meanHoldMs, this.waiting.size, this.limits.maxInFlight),
      });
    }
    let state: 'queued' | 'running' | 'gone' = 'queued';
    let releaseRunning: (() => void) | null = null;
    let resolveReady!: (go: boolean) => void;
    const ready = new Promise<boolean>((r) => (resolveReady = r));
    const onAbort = () => leave();
    const waiter: Waiter = {
      admit: () => {
        signal?.removeEventListener('abort', onAbort);
        state = 'running';
        releaseRunning = this.running().release;
        resolveReady(true);
      },
    };
    const leave = () => {
      if (state === 'queued') {
        this.waiting.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        resolveReady(false);
      } else if (state === 'running') releaseRunning?.();
      state = 'gone';
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.waiting.add(waiter);
    return { ready, release: leave };
  }

  private running(): GateTicket {
    this.inFlight++;
    const t0 = this.now();
    let released = false;
    return {
      ready: Promise.resolve(true),
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        const held = this.now() - t0;
        // Exponential average over the last ~20 requests: follows a change of load without jumping on one outlier.
        this.meanHoldMs = this.meanHoldMs === null ? held : this.meanHoldMs + (held - this.meanHoldMs) / 20;
        this.pump();
      },
    };
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight && this.waiting.size > 0) {
      const next = this.waiting.values().next().value as Waiter;
      this.waiting.delete(next);
      next.admit();
    }
  }
}

// One gate per backend address. A backend run has its own port, so old entries are only ever idle leftovers.
const gates = new Map<string, { gate: UpstreamGate; slots: number | undefined }>();
const MAX_IDLE_GATES = 8;

/** The gate in front of the backend at `endpoint.baseUrl`, sized from its slots (see the top of this file). */
export function gateFor(endpoint: { baseUrl: string; slots?: number | undefined }): UpstreamGate {
  const entry = gates.get(endpoint.baseUrl);
  if (entry) {
    // The same port again with another slot count: a new run that happened to get it.
    if (entry.slots !== endpoint.slots) {
      entry.slots = endpoint.slots;
      entry.gate.setLimits(gateLimits(endpoint.slots));
    }
    return entry.gate;
  }
  if (gates.size >= MAX_IDLE_GATES) for (const [k, v] of gates) if (v.gate.idle) gates.delete(k);
  const gate = new UpstreamGate(gateLimits(endpoint.slots));
  gates.set(endpoint.baseUrl, { gate, slots: endpoint.slots });
  return gate;
}
