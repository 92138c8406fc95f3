/**
 * Short requests the chat makes of the model for itself (a conversation's title, a summary that starts a new chat),
 * and the cleaning of their answers (pure; model-text.test.ts). The instructions are English (models follow them
 * best) but ask for the language of the conversation; what the user sees around them (the summary's heading, the
 * new chat's title) comes in the app's language.
 */
import type { MessageNode } from '../../shared/chat-schemas';
import type { ChatMessage } from '../../shared/schemas';

export type CoreLanguage = 'en' | 'zh-CN';

/** The app's language for text the core writes: the setting, or the system's locale for 'system'. */
export function coreLanguage(setting: 'system' | 'en' | 'zh-CN', systemLocale: string): CoreLanguage {
  if (setting !== 'system') return setting;
  return /^zh/i.test(systemLocale) ? 'zh-CN' : 'en';
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The title request: the first question and the start of its answer. */
export function titleMessages(question: string, answer: string): ChatMessage[] {
  return [
    {
      role: 'user',
      content:
        'Write a title of at most 6 words for the conversation below, in the same language as the question. ' +
        'Reply with the title only: no quotes, no punctuation at the end, no explanation.\n\n' +
        `Question:\n${clip(question, 2000)}\n\nAnswer:\n${clip(answer, 1000)}`,
    },
  ];
}

/** Removes thinking (R1's <think> blocks, also an unclosed one), quotes, a "Title:" label and markup. */
export function cleanTitle(raw: string): string {
  let t = raw.replace(/<think>[\s\S]*?(<\/think>|$)/gi, '').replace(/<\/?think>/gi, '');
  const line = t
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  t = line ?? '';
  t = t.replace(/^(title|标题)\s*[:：]\s*/i, '');
  t = t.replace(/^[#*_`>\-\s]+|[*_`\s]+$/g, '');
  // Quotes and end punctuation, in either order ("Title." or 「标题」。).
  for (let i = 0; i < 2; i++)
    t = t
      .replace(/^["'“”‘’「」『』《》]+|["'“”‘’「」『』《》]+$/g, '')
      .replace(/[.。!！?？,，;；:：]+$/u, '')
      .trim();
  // At most 6 words where words are spaced; unspaced scripts (Chinese) are capped by length.
  const words = t.split(/\s+/).filter(Boolean);
  if (words.length > 6) t = words.slice(0, 6).join(' ');
  return t.length > 80 ? t.slice(0, 80).trim() : t;
}

/** A title without the model: the question's first words (when the model wrote nothing usable). */
export function fallbackTitle(question: string): string {
  const firstLine = question.trim().split(/\r?\n/)[0] ?? '';
  const words = firstLine.split(/\s+/).filter(Boolean);
  const t = words.length > 1 ? words.slice(0, 6).join(' ') : firstLine.slice(0, 20);
  return t.slice(0, 80);
}

/** The summary request: the conversation so far, then the instruction. */
export const SUMMARY_INSTRUCTION =
  'Summarize the conversation so far so that it can be continued in a new chat: the user’s goal, the facts, ' +
  'decisions, code and open questions that matter, in the language of the conversation. Be complete but concise; ' +
  'write the summary only.';

export function summaryNode(): Pick<MessageNode, 'role' | 'content' | 'attachments'> {
  return { role: 'user', content: SUMMARY_INSTRUCTION, attachments: [] };
}

/** The new chat's system prompt holding the summary, and its title, in the app's language. */
export function summaryConversation(
  lang: CoreLanguage,
  title: string,
  summary: string,
): { title: string; systemPrompt: string } {
  return lang === 'zh-CN'
    ? { title: clip(`摘要：${title}`, 200), systemPrompt: `以下是之前一次对话的摘要，请在此基础上继续：\n\n${summary}` }
    : {
        title: clip(`Summary: ${title}`, 200),
        systemPrompt: `A summary of an earlier conversation, to continue from:\n\n${summary}`,
      };
}

/** The model's summary without its thinking. */
export function cleanSummary(raw: string): string {
  return raw
    .replace(/<think>[\s\S]*?(<\/think>|$)/gi, '')
    .replace(/<\/?think>/gi, '')
    .trim();
}
