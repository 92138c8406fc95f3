/**
 * Whether something fits the loaded context, asked of the core (`chat.context`, the backend's tokenizer). Split into
 * the decisions (pure, tested) and the calls.
 */
import type { ContextUsage } from '@shared/chat-schemas';
import type { ContractClient } from '@shared/contract';
import { useChat, type DraftAttachment } from '../../stores/chat';
import type { Refusal } from './attach';

/** A rough count without the backend: characters / 4 (what the core answers too when none runs). */
export const roughTokens = (chars: number) => Math.ceil(chars / 4);

/**
 * A file is refused when it alone cannot fit: its tokens (the usage with it less the usage without) plus the room
 * kept for the reply exceed the context. A long thread is the overflow choice's business, not a reason to refuse.
 */
export function fileRefusal(name: string, without: ContextUsage, withIt: ContextUsage): Refusal | null {
  const own = withIt.used - without.used;
  if (own + withIt.reserve <= withIt.limit) return null;
  return { key: 'thread.composer.tooBigForContext', params: { name, used: withIt.used, limit: withIt.limit } };
}

/** How full the context is: ok, near (over 85 % with the reply's room), over (the next message will not fit). */
export function meterLevel(u: ContextUsage): 'ok' | 'near' | 'over' {
  if (!u.fits || u.used + u.reserve > u.limit) return 'over';
  return (u.used + u.reserve) / Math.max(1, u.limit) > 0.85 ? 'near' : 'ok';
}

export async function fileFits(
  client: ContractClient,
  file: DraftAttachment,
  contextSize: number | null,
): Promise<Refusal | null> {
  const { meta, draft, attachments } = useChat.getState();
  const strip = (list: DraftAttachment[]) => list.map(({ name, text }) => ({ name, text }));
  if (!meta) {
    // A new chat has no conversation to count yet: a rough count against the loaded context size.
    if (!contextSize) return null;
    const u = (chars: number): ContextUsage => ({
      used: roughTokens(chars),
      limit: contextSize,
      reserve: 0,
      fits: true,
      exact: false,
    });
    return fileRefusal(file.name, u(0), u(file.text.length));
  }
  try {
    const base = { conversationId: meta.id, draft };
    const [without, withIt] = await Promise.all([
      client.call('chat.context', { ...base, attachments: strip(attachments) }),
      client.call('chat.context', { ...base, attachments: strip([...attachments, file]) }),
    ]);
    return fileRefusal(file.name, without, withIt);
  } catch {
    // No count to be had (no backend, connection down): the send itself will say if it does not fit.
    return null;
  }
}
