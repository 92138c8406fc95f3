/**
 * Chat in stored conversations: chat.send / regenerate / continue / stop / context / summarize. A send stores the
 * question and a streaming reply node at once (after checking the prompt fits), then reply-stream.ts writes the
 * reply into it. One reply per conversation at a time (REPLY_IN_PROGRESS for a second window's send or an edit).
 * Prompt decisions are pure (prompt.ts, presets.ts); this file does the I/O around them. The store announces list
 * changes itself (conversations.changed, coalesced); this file announces the conversation's own stream.
 */
import path from 'node:path';
import type { ConversationDetail, ContextUsage, MessageNode } from '../../shared/chat-schemas';
import type { EventBus, Params, Result } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { ChatMessage, SamplingParams, Settings } from '../../shared/schemas';
import type { Backend, Endpoint } from '../backends/backend';
import { gateFor } from '../backends/upstream-gate';
import type { ConversationRepo } from '../conversations/repo';
import { completeOnce, contextPerSlot, countPromptTokens, runContext } from './backend-requests';
import {
  cleanSummary,
  cleanTitle,
  coreLanguage,
  fallbackTitle,
  summaryConversation,
  summaryNode,
  titleMessages,
} from './model-text';
import type { PersistPolicy } from './persist-policy';
import { choosePresetId, FALLBACK_PRESET_ID, mergeSampling, type PresetStore } from './presets';
import {
  buildMessages,
  continuation,
  nextCut,
  replyReserve,
  roughTokens,
  tokenUpperBound,
  type PromptStyle,
} from './prompt';
import { newNode } from './message-node';
import { ReplyStreams, type ReplySlot } from './reply-stream';

export { newMessageId } from './message-node';

type PromptNode = Pick<MessageNode, 'role' | 'content' | 'attachments'>;

export interface ConversationChatDeps {
  repo: ConversationRepo;
  bus: EventBus;
  backend: Pick<Backend, 'endpoint' | 'status'>;
  settings: { get(): Promise<Settings> };
  presets: PresetStore;
  log: (msg: string) => void;
  coalesceMs?: number;
  persist?: PersistPolicy;
}

export class ConversationChat {
  readonly streams: ReplyStreams;
  private limits = new Map<string, number>();

  constructor(private readonly d: ConversationChatDeps) {
    this.streams = new ReplyStreams({
      repo: d.repo,
      bus: d.bus,
      log: d.log,
      ...(d.coalesceMs !== undefined ? { coalesceMs: d.coalesceMs } : {}),
      ...(d.persist ? { persist: d.persist } : {}),
      onEnded: (conversationId, node) => this.onEnded(conversationId, node),
    });
  }

  // ---------------------------------------------------------------- handlers

  async send(p: Params<'chat.send'>): Promise<Result<'chat.send'>> {
    const conv = this.d.repo.get(p.conversationId);
    const slot = this.streams.reserve(conv.id);
    try {
      const endpoint = this.ready();
      let parentId: string | null;
      if (p.editOf !== undefined) {
        const orig = this.node(conv, p.editOf);
        if (orig.role !== 'user') throw new AppError('INVALID_PARAMS', { issues: 'editOf must name a question' });
        parentId = orig.parentId;
      } else parentId = p.parentId !== undefined ? p.parentId : conv.leafId;
      if (parentId !== null && this.node(conv, parentId).role !== 'assistant')
        throw new AppError('INVALID_PARAMS', { issues: 'a question follows a reply (or starts the conversation)' });
      const user = newNode('user', parentId, p.content, p.attachments ?? []);
      const history = parentId === null ? [] : this.d.repo.thread(conv.id, parentId);
      const thread = [...history, user];
      return await this.startReply(slot, conv, endpoint, thread, thread.length - 1, p.sampling, p.overflow, [user]);
    } catch (e) {
      this.streams.release(slot);
      throw e;
    }
  }

  async regenerate(p: Params<'chat.regenerate'>): Promise<Result<'chat.regenerate'>> {
    const conv = this.d.repo.get(p.conversationId);
    const slot = this.streams.reserve(conv.id);
    try {
      const endpoint = this.ready();
      const target = this.node(conv, p.messageId);
      if (target.role !== 'assistant' || target.parentId === null)
        throw new AppError('INVALID_PARAMS', { issues: 'only a reply can be regenerated' });
      const thread = this.d.repo.thread(conv.id, target.parentId);
      const r = await this.startReply(slot, conv, endpoint, thread, thread.length - 1, p.sampling, 'error', []);
      return { replyMessageId: r.replyMessageId };
    } catch (e) {
      this.streams.release(slot);
      throw e;
    }
  }

  async continue(p: Params<'chat.continue'>): Promise<Result<'chat.continue'>> {
    const conv = this.d.repo.get(p.conversationId);
    const slot = this.streams.reserve(conv.id);
    try {
      const endpoint = this.ready();
      const target = this.node(conv, p.messageId);
      const cut = target.finishReason === 'length' || ['stopped', 'interrupted', 'error'].includes(target.status);
      if (target.role !== 'assistant' || target.status === 'streaming' || !cut)
        throw new AppError('INVALID_PARAMS', { issues: 'only a reply cut short can be continued' });
      // The reply is the last message: llama-server continues a final assistant message (prefill, on by default).
      const thread = this.d.repo.thread(conv.id, target.id);
      const { sampling, style } = await this.prepare(conv, undefined);
      const reserve = replyReserve(await this.limit(endpoint), sampling.max_tokens);
      const messages = continuation(
        await this.fit(endpoint, thread, Math.max(0, thread.length - 2), style, reserve, 'error'),
        target.reasoning,
      );
      const ticket = gateFor(endpoint).enter(slot.abort.signal);
      const node: MessageNode = { ...target, status: 'streaming', error: null, finishReason: null };
      try {
        this.d.repo.updateMessage(conv.id, target.id, { status: 'streaming', error: null, finishReason: null });
        if (conv.leafId !== target.id) this.d.repo.update(conv.id, { leafId: target.id });
      } catch (e) {
        ticket.release();
        throw e;
      }
      this.announce(conv.id, [node], conv.leafId !== target.id ? target.id : undefined);
      this.streams.start(slot, { endpoint, ticket, node, messages, sampling });
      return { replyMessageId: target.id };
    } catch (e) {
      this.streams.release(slot);
      throw e;
    }
  }

  stop(conversationId: string): boolean {
    return this.streams.stop(conversationId);
  }

  async context(p: Params<'chat.context'>): Promise<ContextUsage> {
    const conv = this.d.repo.get(p.conversationId);
    const thread: PromptNode[] = conv.leafId ? this.d.repo.thread(conv.id, conv.leafId) : [];
    if (p.draft || p.attachments?.length)
      thread.push({ role: 'user', content: p.draft ?? '', attachments: p.attachments ?? [] });
    const { sampling, style } = await this.prepare(conv, undefined);
    const messages = buildMessages(thread, style);
    const endpoint = this.d.backend.endpoint();
    if (endpoint) {
      const limit = await this.limit(endpoint);
      const used = messages.length ? await countPromptTokens(endpoint, messages) : 0;
      const reserve = replyReserve(limit, sampling.max_tokens);
      return { used, limit, reserve, fits: used + reserve <= limit, exact: true };
    }
    const limit = await this.offlineLimit();
    const used = roughTokens(messages);
    const reserve = replyReserve(limit, sampling.max_tokens);
    return { used, limit, reserve, fits: used + reserve <= limit, exact: false };
  }

  async summarize(conversationId: string): Promise<ConversationDetail> {
    const conv = this.d.repo.get(conversationId);
    const endpoint = this.ready();
    const history = conv.leafId ? this.d.repo.thread(conv.id, conv.leafId) : [];
    if (history.length === 0) throw new AppError('INVALID_PARAMS', { issues: 'the conversation is empty' });
    const { style } = await this.prepare(conv, undefined);
    const thread = [...history, summaryNode()];
    const reserve = Math.min(1024, Math.floor((await this.limit(endpoint)) / 4));
    const messages = await this.fit(endpoint, thread, thread.length - 1, style, reserve, 'dropOldest');
    const raw = await this.once(endpoint, messages, { temperature: 0.3, max_tokens: reserve });
    // A thinking model cut by the limit before its answer: its thinking about the conversation is what there is.
    const summary = cleanSummary(raw.content) || cleanSummary(raw.reasoning);
    if (!summary) throw new AppError('CHAT_FAILED', { reason: 'the model wrote no summary' });
    const s = await this.d.settings.get();
    const lang = coreLanguage(s.language, Intl.DateTimeFormat().resolvedOptions().locale);
    const next = summaryConversation(lang, conv.title, summary);
    return this.d.repo.create({ ...next, titleAuto: false, presetId: conv.presetId, model: conv.model });
  }

  /** conversations.get with a streaming reply's text as it is now in memory (the store lags by ≤ 1 s). */
  overlay(detail: ConversationDetail): ConversationDetail {
    const live = this.streams.live(detail.id);
    if (!live) return detail;
    return {
      ...detail,
      messages: detail.messages.map((m) =>
        m.id === live.messageId ? { ...m, content: live.content, reasoning: live.reasoning } : m,
      ),
    };
  }

  /** Reads the context per slot of a ready backend ahead of the first send (no round trip on the send's path). */
  warm(): void {
    const endpoint = this.d.backend.endpoint();
    if (endpoint) void this.limit(endpoint).catch(() => undefined);
  }

  // ---------------------------------------------------------------- steps

  private async startReply(
    slot: ReplySlot,
    conv: ConversationDetail,
    endpoint: Endpoint,
    thread: PromptNode[],
    keep: number,
    override: SamplingParams | undefined,
    overflow: 'error' | 'dropOldest' | undefined,
    newNodes: MessageNode[],
  ): Promise<{ userMessageId: string; replyMessageId: string }> {
    const { sampling, style } = await this.prepare(conv, override);
    const reserve = replyReserve(await this.limit(endpoint), sampling.max_tokens);
    const messages = await this.fit(endpoint, thread, keep, style, reserve, overflow ?? 'error');
    // Throws BACKEND_QUEUE_FULL before anything is stored.
    const ticket = gateFor(endpoint).enter(slot.abort.signal);
    const questionId = newNodes[0]?.id ?? (thread[keep] as MessageNode).id;
    const reply = newNode('assistant', questionId, '', []);
    reply.status = 'streaming';
    reply.model = this.d.backend.status().model?.name ?? null;
    try {
      // Each node becomes the leaf as it is added; the reply's model becomes the conversation's.
      for (const n of newNodes) this.d.repo.addMessage(conv.id, n);
      this.d.repo.addMessage(conv.id, reply);
    } catch (e) {
      ticket.release();
      throw e;
    }
    this.announce(conv.id, [...newNodes, reply], reply.id);
    this.streams.start(slot, { endpoint, ticket, node: reply, messages, sampling });
    return { userMessageId: questionId, replyMessageId: reply.id };
  }

  /** The sampling (settings → preset → request) and the instructions' place for a conversation's next request. */
  private async prepare(
    conv: ConversationDetail,
    override: SamplingParams | undefined,
  ): Promise<{ sampling: SamplingParams; style: PromptStyle }> {
    const s = await this.d.settings.get();
    const model = this.d.backend.status().model;
    const id = choosePresetId(conv.presetId, s.chat, model ? path.basename(model.path) : null);
    const preset = (await this.d.presets.get(id)) ?? (await this.d.presets.get(FALLBACK_PRESET_ID))!;
    return {
      sampling: mergeSampling(s.sampling, preset.sampling, override),
      style: {
        systemPrompt: conv.systemPrompt ?? preset.systemPrompt,
        instructionsInUserTurn: preset.instructionsInUserTurn,
      },
    };
  }

  /**
   * The prompt for `thread` that fits the context with `reserve` left for the reply: whole, or ('dropOldest')
   * without its oldest turns (never from `keep` on). Counting with the backend is skipped when even an upper bound
   * fits (a send then costs no extra round trip).
   */
  private async fit(
    endpoint: Endpoint,
    thread: PromptNode[],
    keep: number,
    style: PromptStyle,
    reserve: number,
    overflow: 'error' | 'dropOldest',
  ): Promise<ChatMessage[]> {
    const limit = await this.limit(endpoint);
    let from = 0;
    for (;;) {
      const messages = buildMessages(thread.slice(from), style);
      if (tokenUpperBound(messages) + reserve <= limit) return messages;
      const used = await countPromptTokens(endpoint, messages);
      if (used + reserve <= limit) return messages;
      const next = overflow === 'dropOldest' ? nextCut(thread, from, used + reserve - limit, keep) : null;
      if (next === null || next <= from) {
        const question = await countPromptTokens(endpoint, buildMessages(thread.slice(keep), style));
        throw new AppError('CONTEXT_OVERFLOW', {
          needed: question + reserve,
          free: Math.max(0, limit - Math.max(0, used - question)),
          limit,
        });
      }
      from = next;
    }
  }

  /** Tokens per request of the running backend (asked once per run). */
  private async limit(endpoint: Endpoint): Promise<number> {
    const known = this.limits.get(endpoint.baseUrl);
    if (known) return known;
    // vLLM and most other servers have no /props: their run says its context (never the last llama-server's).
    const n =
      (await contextPerSlot(endpoint).catch(() => null)) ??
      runContext(this.d.backend.status()) ??
      (await this.offlineLimit());
    this.limits.clear();
    this.limits.set(endpoint.baseUrl, n);
    return n;
  }

  /** Without a backend: the last known context, else the load options' (the model's own for 0). */
  private async offlineLimit(): Promise<number> {
    const last = [...this.limits.values()].at(-1);
    if (last) return last;
    const s = await this.d.settings.get();
    const model = this.d.backend.status().model;
    return s.loadOptions.contextSize || model?.contextLength || 4096;
  }

  private async once(
    endpoint: Endpoint,
    messages: ChatMessage[],
    sampling: SamplingParams,
  ): Promise<{ content: string; reasoning: string }> {
    const abort = new AbortController();
    const ticket = gateFor(endpoint).enter(abort.signal);
    try {
      if (!(await ticket.ready)) return { content: '', reasoning: '' };
      return await completeOnce(endpoint, messages, sampling, abort.signal);
    } finally {
      ticket.release();
    }
  }

  private onEnded(conversationId: string, node: MessageNode) {
    void this.autoTitle(conversationId, node.status === 'done').catch((e: unknown) => this.d.log(`title: ${e}`));
  }

  /**
   * After the first exchange: a short title by the loaded model, unless the user named the conversation. A first
   * reply that did not finish (stopped, crashed), titles switched off or a model that wrote none: the question's
   * first words, so that no conversation stays untitled (titleAuto stays true: a later model title may replace it).
   */
  private async autoTitle(conversationId: string, finished: boolean): Promise<void> {
    const s = await this.d.settings.get();
    const conv = this.d.repo.get(conversationId);
    if (!conv.titleAuto || conv.messages.length !== 2) return;
    const [question, answer] = conv.messages;
    if (question?.role !== 'user' || answer?.role !== 'assistant') return;
    const endpoint = finished && s.chat.autoTitle ? this.d.backend.endpoint() : null;
    let title = '';
    if (endpoint) {
      const raw = await this.once(endpoint, titleMessages(question.content, answer.content), {
        temperature: 0.3,
        max_tokens: 512,
      }).catch(() => null);
      title = cleanTitle(raw?.content ?? '');
    }
    if (!title && conv.title) return;
    title ||= fallbackTitle(question.content);
    if (!title) return;
    // The user may have renamed it while the model was writing.
    if (!this.d.repo.get(conversationId).titleAuto) return;
    this.d.repo.update(conversationId, { title, titleAuto: true });
    this.d.bus.emit('conversation.stream', { type: 'title', conversationId, title });
  }

  // ---------------------------------------------------------------- helpers

  private ready(): Endpoint {
    const endpoint = this.d.backend.endpoint();
    if (!endpoint) throw new AppError('BACKEND_NOT_READY');
    return endpoint;
  }

  private node(conv: ConversationDetail, id: string): MessageNode {
    const n = conv.messages.find((m) => m.id === id);
    if (!n) throw new AppError('MESSAGE_NOT_FOUND');
    return n;
  }

  private announce(conversationId: string, nodes: MessageNode[], leafId: string | undefined) {
    for (const message of nodes) this.d.bus.emit('conversation.stream', { type: 'message', conversationId, message });
    if (leafId !== undefined) this.d.bus.emit('conversation.stream', { type: 'leaf', conversationId, leafId });
  }
}
