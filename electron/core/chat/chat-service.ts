/**
 * Runs streamed replies against the ready backend and turns them into `chat.event`s, one requestId each. Replies
 * pass the backend's gate (backends/upstream-gate.ts), shared with the OpenAI proxy: beyond its queue chat.start
 * fails at once with BACKEND_QUEUE_FULL; a reply stopped while it waits leaves the queue.
 */
import { AppError, toErrorInfo } from '../../shared/errors';
import type { ChatEvent, ChatMessage, ChatTimings, SamplingParams } from '../../shared/schemas';
import { gateFor, type GateTicket } from '../backends/upstream-gate';
import type { Endpoint } from '../backends/backend';
import { streamCompletion, type LlamaTimings } from './completion-client';

export interface ChatServiceDeps {
  endpoint: () => Endpoint | null;
  emit: (ev: ChatEvent) => void;
  now?: () => number;
  /**
   * Deltas arriving within this window after the last one sent are merged into one event (the first token and the
   * last batch go out at once). At hundreds of tokens/s this saves a wake-up of every listener per token, which on
   * a machine whose cores are busy generating is what costs throughput; the eye cannot see a 16 ms batch.
   */
  coalesceMs?: number;
}

export function toChatTimings(
  t: LlamaTimings | undefined,
  ttftMs: number,
  fallback: { tokens: number; ms: number },
): ChatTimings {
  const predictedTokens = t?.predicted_n ?? fallback.tokens;
  const predictedMs = t?.predicted_ms ?? fallback.ms;
  return {
    promptTokens: t?.prompt_n ?? 0,
    promptMs: t?.prompt_ms ?? 0,
    predictedTokens,
    predictedMs,
    tokensPerSecond: t?.predicted_per_second ?? (predictedMs > 0 ? (predictedTokens * 1000) / predictedMs : 0),
    ttftMs,
    ...(typeof t?.draft_n === 'number' && t.draft_n > 0
      ? { draftTokens: t.draft_n, draftAccepted: Math.min(t.draft_n, t.draft_n_accepted ?? 0) }
      : {}),
  };
}

export class ChatService {
  private readonly active = new Map<string, AbortController>();
  private readonly now: () => number;
  constructor(private readonly deps: ChatServiceDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  get inFlight(): number {
    return this.active.size;
  }

  start(requestId: string, messages: ChatMessage[], sampling: SamplingParams): void {
    if (this.active.has(requestId))
      throw new AppError('INVALID_PARAMS', { issues: `requestId ${requestId} is already streaming` });
    const endpoint = this.deps.endpoint();
    if (!endpoint) throw new AppError('BACKEND_NOT_READY');
    const abort = new AbortController();
    // Throws BACKEND_QUEUE_FULL to the caller (503 over HTTP) before anything starts.
    const ticket = gateFor(endpoint).enter(abort.signal);
    this.active.set(requestId, abort);
    void this.run(requestId, endpoint, messages, sampling, abort, ticket);
  }

  cancel(requestId: string): boolean {
    const a = this.active.get(requestId);
    if (!a) return false;
    a.abort();
    return true;
  }

  /** Stops every reply: with `reason` (the backend crashed) each ends with that error, else as cancelled. */
  cancelAll(reason?: AppError): void {
    for (const a of this.active.values()) a.abort(reason);
  }

  private async run(
    requestId: string,
    endpoint: Endpoint,
    messages: ChatMessage[],
    sampling: SamplingParams,
    abort: AbortController,
    ticket: GateTicket,
  ) {
    const t0 = this.now();
    let firstAt: number | null = null;
    let tokens = 0;
    let finishReason: string | null = null;
    let timings: LlamaTimings | undefined;
    const coalesceMs = this.deps.coalesceMs ?? 16;
    let pendingContent = '';
    let pendingReasoning = '';
    let lastSent = -Infinity;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (!pendingContent && !pendingReasoning) return;
      this.deps.emit({
        type: 'delta',
        requestId,
        ...(pendingContent ? { content: pendingContent } : {}),
        ...(pendingReasoning ? { reasoning: pendingReasoning } : {}),
      });
      pendingContent = '';
      pendingReasoning = '';
      lastSent = this.now();
    };
    try {
      // Stopped while waiting for the backend: nothing was generated.
      const admitted = await ticket.ready;
      const outcome = !admitted
        ? 'aborted'
        : await streamCompletion({
            ...endpoint,
            messages,
            sampling,
            signal: abort.signal,
            onChunk: (c) => {
              if (c.content || c.reasoning) {
                const now = this.now();
                if (firstAt === null) firstAt = now;
                tokens++;
                if (c.content) pendingContent += c.content;
                if (c.reasoning) pendingReasoning += c.reasoning;
                if (now - lastSent >= coalesceMs) flush();
                else timer ??= setTimeout(flush, Math.max(0, coalesceMs - (now - lastSent)));
              }
              if (c.finishReason) finishReason = c.finishReason;
              if (c.timings) timings = c.timings;
            },
          });
      flush();
      const end = this.now();
      const ttft = firstAt === null ? end - t0 : firstAt - t0;
      const cancelled = outcome === 'aborted';
      // Whichever came first, the cut connection or the backend's word, a crash is reported as one.
      if (cancelled && abort.signal.reason instanceof AppError) throw abort.signal.reason;
      if (!cancelled) endpoint.served?.();
      this.deps.emit({
        type: 'done',
        requestId,
        finishReason: cancelled ? 'cancelled' : finishReason,
        cancelled,
        // A stopped reply has no server timings; our own count still tells the user the speed.
        timings:
          firstAt === null && !timings
            ? null
            : toChatTimings(cancelled ? undefined : timings, ttft, { tokens, ms: end - (firstAt ?? t0) }),
      });
    } catch (e) {
      flush();
      this.deps.emit({ type: 'error', requestId, error: toErrorInfo(e) });
    } finally {
      ticket.release();
      this.active.delete(requestId);
    }
  }
}
