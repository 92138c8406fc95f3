/**
 * How a conversation becomes the request the model sees (pure; tested with tables in prompt.test.ts, no backend).
 *
 * - The thread (root → the message being answered) becomes OpenAI chat messages; a reply's reasoning is never sent
 *   back (DeepSeek's R1 guidance: earlier thinking in the context only distracts the model and costs tokens).
 * - The conversation's system prompt, else the preset's, is a system message; a preset that puts instructions in
 *   the user turn (R1 guidance) puts that text before the first question instead.
 * - Attachments follow their message as fenced blocks named after their file.
 * - When the prompt would not fit, 'dropOldest' leaves out whole turns from the start (never the question asked).
 */
import type { Attachment, MessageNode } from '../../shared/chat-schemas';
import type { ChatMessage } from '../../shared/schemas';

export interface PromptStyle {
  /** The text to give the model as instructions; null or blank: none. */
  systemPrompt: string | null;
  instructionsInUserTurn: boolean;
}

/** A fence longer than any run of backticks in `text`, so a file holding ``` cannot end its block early. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** The fence's info string: the file's extension when it looks like a language name (highlighting), else none. */
function languageOf(name: string): string {
  const m = /\.([A-Za-z0-9+#-]{1,16})$/.exec(name);
  return m ? m[1]!.toLowerCase() : '';
}

/** One attachment as the model reads it: its name, then its text in a fenced block. */
export function attachmentBlock(a: Attachment): string {
  const fence = fenceFor(a.text);
  // The name goes on its own line, outside the fence (a name is text the user chose, not a language tag).
  const name = a.name.replace(/[\r\n]+/g, ' ');
  const body = a.text.endsWith('\n') ? a.text : `${a.text}\n`;
  return `${name}\n${fence}${languageOf(name)}\n${body}${fence}`;
}

/** A user message's text with its attachments after it. */
export function userText(content: string, attachments: readonly Attachment[]): string {
  if (attachments.length === 0) return content;
  const blocks = attachments.map(attachmentBlock).join('\n\n');
  return content ? `${content}\n\n${blocks}` : blocks;
}

/** The text of one node as the model reads it (reasoning left out). */
export function nodeText(node: Pick<MessageNode, 'role' | 'content' | 'attachments'>): string {
  return node.role === 'user' ? userText(node.content, node.attachments) : node.content;
}

type PromptNode = Pick<MessageNode, 'role' | 'content' | 'attachments'>;

/** The thread as chat messages, with the instructions placed as the style says. */
export function buildMessages(thread: readonly PromptNode[], style: PromptStyle): ChatMessage[] {
  const system = style.systemPrompt?.trim() ? style.systemPrompt : null;
  const out: ChatMessage[] = [];
  if (system && !style.instructionsInUserTurn) out.push({ role: 'system', content: system });
  let placed = !system || !style.instructionsInUserTurn;
  for (const node of thread) {
    let content = nodeText(node);
    if (!placed && node.role === 'user') {
      content = `${system}\n\n${content}`;
      placed = true;
    }
    out.push({ role: node.role, content });
  }
  return out;
}

/** A chat message as llama-server takes it: a reply being continued carries its reasoning too. */
export type PromptMessage = ChatMessage & { reasoning_content?: string };

/**
 * The prompt for continuing the last reply: llama-server continues a final assistant message (prefill, on by
 * default; common/chat.cpp), inside its reasoning when it has no content yet, else its content. So that reply keeps
 * its reasoning (only earlier replies' reasoning is left out).
 */
export function continuation(messages: readonly ChatMessage[], reasoning: string): PromptMessage[] {
  const last = messages.at(-1);
  if (!last || last.role !== 'assistant' || !reasoning) return [...messages];
  return [...messages.slice(0, -1), { ...last, reasoning_content: reasoning }];
}

/**
 * An upper bound on the tokens of these messages: every token of a byte-fallback vocabulary is at least one byte,
 * plus what a chat template adds around each message. When it fits, counting with the backend can be skipped.
 */
export const TEMPLATE_TOKENS_PER_MESSAGE = 16;
export function tokenUpperBound(messages: readonly ChatMessage[]): number {
  let n = TEMPLATE_TOKENS_PER_MESSAGE; // the generation prompt and BOS
  for (const m of messages) n += Buffer.byteLength(m.content, 'utf8') + TEMPLATE_TOKENS_PER_MESSAGE;
  return n;
}

/** A rough count (characters / 4), for the meter when no backend can count, and to guess how much to drop. */
export function roughTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4) + 4 * messages.length;
}

/**
 * Where the prompt starts after leaving out the oldest turns: the first user message at or after the point where
 * about `excess` tokens (chars / 4) were dropped, past `from`. `keep` is the index of the first node that must
 * stay (the question being answered). Null when nothing more can be dropped.
 */
export function nextCut(thread: readonly PromptNode[], from: number, excess: number, keep: number): number | null {
  let dropped = 0;
  for (let i = from; i < keep; i++) {
    dropped += Math.ceil(nodeText(thread[i]!).length / 4) + 4;
    const cut = i + 1;
    if ((cut === keep || thread[cut]!.role === 'user') && dropped >= excess) return cut;
  }
  // Not enough by the estimate: drop everything droppable, if that is more than now.
  return keep > from ? keep : null;
}

/**
 * The reply's share of the context: a quarter of it up to 1024 tokens, or max_tokens when smaller. max_tokens is a
 * cap, not a need: a reply also ends where the context does (finish reason "length"), so a max_tokens above the
 * context (set to let a reply run) must not make every message "not fit".
 */
export function replyReserve(limit: number, maxTokens: number | undefined): number {
  return Math.min(maxTokens ?? Infinity, Math.min(1024, Math.floor(limit / 4)));
}
