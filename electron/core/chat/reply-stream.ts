/**
 * Streams conversation replies into the store, one per conversation at a time. A reply is written to its message
 * node as it grows (at the rate persist-policy.ts allows, whether or not anyone listens) and at its end with its
 * status, finish reason, figures and error; its text goes to the conversation's subscribers as `delta` events
 * carrying offsets, coalesced like ChatService's (16 ms). The text in memory overlays the stored one for a client
 * that opens the conversation mid-reply, so it continues exactly where the live stream is.
 */
import type { MessageNode } from '../../shared/chat-schemas';
import type { EventBus } from '../../shared/contract';
import { AppError, toErrorInfo } from '../../shared/errors';
import type { ChatMessage, SamplingParams } from '../../shared/schemas';
import type { Endpoint } from '../backends/backend';
import type { GateTicket } from '../backends/upstream-gate';
import type { ConversationRepo } from '../conversations/repo';
import { streamCompletion, type LlamaTimings, type PromptProgress } from './completion-client';
import { DEFAULT_PERSIST_POLICY, persistDelay, type PersistPolicy } from './persist-policy';
import { replyTimings } from './reply-timings';

export interface ReplyStreamDeps {
  repo: ConversationRepo;
  bus: EventBus;
  log: (msg: string) => void;
  /** A monotonic clock (ms). */
  now?: () => number;
  coalesceMs?: number;
  persist?: PersistPolicy;
  /** After a reply's end was stored and announced (auto title, the list). */
  onEnded?: (conversationId: string, node: MessageNode) => void;
}

/** A conversation's place: held from the moment a send is accepted until its reply has ended. */
export interface ReplySlot {
  readonly conversationId: string;
  readonly abort: AbortController;
  /** The streaming node and its text so far (null before the node exists). */
  messageId: string | null;
  content: string;
  reasoning: string;
  /** Resolves when the reply has ended (or the slot was released unused). */
  readonly ended: Promise<void>;
}

interface SlotInternal extends ReplySlot {
  end: () => void;
}

export interface ReplyJob {
  endpoint: Endpoint;
  ticket: GateTicket;
  /** The assistant node as stored (status 'streaming'); its content so far when continuing. */
  node: MessageNode;
  messages: ChatMessage[];
  sampling: SamplingParams;
}

export class ReplyStreams {
  private readonly slots = new Map<string, SlotInternal>();
  private readonly now: () => number;
  constructor(private readonly deps: ReplyStreamDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  /** Takes the conversation's place (synchronously, so two sends cannot both get it): REPLY_IN_PROGRESS if held. */
  reserve(conversationId: string): ReplySlot {
    if (this.slots.has(conversationId)) throw new AppError('REPLY_IN_PROGRESS');
    let end!: () => void;
    const ended = new Promise<void>((r) => (end = r));
    const slot: SlotInternal = {
      conversationId,
      abort: new AbortController(),
      messageId: null,
      content: '',
      reasoning: '',
      ended,
      end,
    };
    this.slots.set(conversationId, slot);
    return slot;
  }

  /** Gives the place back when a send failed before its reply started. */
  release(slot: ReplySlot): void {
    const s = slot as SlotInternal;
    if (this.slots.get(s.conversationId) === s) this.slots.delete(s.conversationId);
    s.end();
  }

  busy(conversationId: string): boolean {
    return this.slots.has(conversationId);
  }

  /** The streaming reply's text in memory (newer than the store's by up to the persist interval). */
  live(conversationId: string): { messageId: string; content: string; reasoning: string } | null {
    const s = this.slots.get(conversationId);
    return s?.messageId ? { messageId: s.messageId, content: s.content, reasoning: s.reasoning } : null;
  }

  stop(conversationId: string, reason?: AppError): boolean {
    const s = this.slots.get(conversationId);
    if (!s || s.abort.signal.aborted) return false;
    s.abort.abort(reason);
    return true;
  }

  /** With `reason` (the backend crashed) each reply ends with that error, else as stopped. */
  stopAll(reason?: AppError): void {
    for (const id of [...this.slots.keys()]) this.stop(id, reason);
  }

  async idle(): Promise<void> {
    await Promise.all([...this.slots.values()].map((s) => s.ended));
  }

  /** Streams the reply into `job.node` (already stored and announced); returns at once. */
  start(slot: ReplySlot, job: ReplyJob): void {
    const s = slot as SlotInternal;
    s.messageId = job.node.id;
    s.content = job.node.content;
    s.reasoning = job.node.reasoning;
    void this.run(s, job)
      .catch((e: unknown) => this.deps.log(`a reply failed: ${String(e)}`))
      .finally(() => {
        job.ticket.release();
        if (this.slots.get(s.conversationId) === s) this.slots.delete(s.conversationId);
        s.end();
      });
  }

  private async run(slot: SlotInternal, job: ReplyJob): Promise<void> {
    const { repo, bus, log } = this.deps;
    const conversationId = slot.conversationId;
    const id = job.node.id;
    const policy = this.deps.persist ?? DEFAULT_PERSIST_POLICY;
    const coalesceMs = this.deps.coalesceMs ?? 16;
    const t0 = this.now();

    // ---- deltas to subscribers, coalesced ----
    let sentContent = slot.content.length;
    let sentReasoning = slot.reasoning.length;
    let lastSent = -Infinity;
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      const content = slot.content.slice(sentContent);
      const reasoning = slot.reasoning.slice(sentReasoning);
      if (!content && !reasoning) return;
      bus.emit('conversation.stream', {
        type: 'delta',
        conversationId,
        messageId: id,
        offset: sentContent,
        reasoningOffset: sentReasoning,
        ...(content ? { content } : {}),
        ...(reasoning ? { reasoning } : {}),
      });
      sentContent = slot.content.length;
      sentReasoning = slot.reasoning.length;
      lastSent = this.now();
    };

    // ---- the growing text to the store, rate-bounded ----
    let persisted = { at: t0, length: slot.content.length + slot.reasoning.length };
    let persistTimer: ReturnType<typeof setTimeout> | null = null;
    const write = () => {
      if (persistTimer) clearTimeout(persistTimer);
      persistTimer = null;
      const length = slot.content.length + slot.reasoning.length;
      try {
        repo.updateMessage(conversationId, id, { content: slot.content, reasoning: slot.reasoning });
      } catch (e) {
        // A full disk: the stream goes on, the next write tries again (the store kept what it had).
        log(`could not save the reply so far: ${(e as Error).message}`);
      }
      persisted = { at: this.now(), length };
    };
    const maybeWrite = (now: number) => {
      const delay = persistDelay(policy, persisted, now, slot.content.length + slot.reasoning.length);
      if (delay === 0) write();
      else if (delay !== null) persistTimer ??= setTimeout(write, delay);
    };

    let firstAt: number | null = null;
    let tokens = 0;
    let reasoningStart: number | null = null;
    let reasoningEnd: number | null = null;
    let finishReason: string | null = null;
    let final: LlamaTimings | undefined;
    let progress: PromptProgress | undefined;
    let status: MessageNode['status'] = 'done';
    let error: MessageNode['error'] = null;
    try {
      const admitted = await job.ticket.ready;
      const outcome = !admitted
        ? 'aborted'
        : await streamCompletion({
            ...job.endpoint,
            messages: job.messages,
            sampling: job.sampling,
            signal: slot.abort.signal,
            // Prompt progress: the prompt's real token count even when the reply is cut before its final timings.
            extra: { return_progress: true },
            onChunk: (c) => {
              if (c.progress) progress = c.progress;
              if (c.content || c.reasoning) {
                const now = this.now();
                firstAt ??= now;
                tokens++;
                if (c.reasoning) {
                  reasoningStart ??= now;
                  slot.reasoning += c.reasoning;
                }
                if (c.content) {
                  if (reasoningStart !== null) reasoningEnd ??= now;
                  slot.content += c.content;
                }
                if (now - lastSent >= coalesceMs) flush();
                else flushTimer ??= setTimeout(flush, Math.max(0, coalesceMs - (now - lastSent)));
                maybeWrite(now);
              }
              if (c.finishReason) finishReason = c.finishReason;
              if (c.timings) final = c.timings;
            },
          });
      if (outcome === 'aborted') {
        const reason: unknown = slot.abort.signal.reason;
        if (reason instanceof AppError) throw reason;
        status = 'stopped';
        finishReason = 'stopped';
      } else job.endpoint.served?.();
    } catch (e) {
      status = 'error';
      error = toErrorInfo(e);
    }
    flush();
    if (persistTimer) clearTimeout(persistTimer);
    const end = this.now();
    const cut = status !== 'done';
    const node: MessageNode = {
      ...job.node,
      content: slot.content,
      reasoning: slot.reasoning,
      status,
      finishReason,
      timings: replyTimings({
        final: cut ? undefined : final,
        progress,
        tokens,
        ttftMs: firstAt === null ? null : firstAt - t0,
        generateMs: firstAt === null ? 0 : end - firstAt,
      }),
      error,
      reasoningMs: reasoningStart === null ? job.node.reasoningMs : (reasoningEnd ?? end) - reasoningStart,
    };
    // A continued reply keeps the figures of its first part where this part has none.
    if (!node.timings) node.timings = job.node.timings;
    try {
      repo.updateMessage(conversationId, id, {
        content: node.content,
        reasoning: node.reasoning,
        status: node.status,
        finishReason: node.finishReason,
        timings: node.timings,
        error: node.error,
        reasoningMs: node.reasoningMs,
      });
    } catch (e) {
      log(`could not save the end of a reply: ${(e as Error).message}`);
    }
    // The place is free before anyone hears of the end: a client answering the end at once must not be refused.
    job.ticket.release();
    if (this.slots.get(conversationId) === slot) this.slots.delete(conversationId);
    bus.emit('conversation.stream', { type: 'message', conversationId, message: node });
    try {
      this.deps.onEnded?.(conversationId, node);
    } catch (e) {
      log(`after a reply: ${(e as Error).message}`);
    }
  }
}
