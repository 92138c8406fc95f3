/**
 * What the user does in the chat, as calls to the core. The core stores every question and reply and streams them
 * to the conversation's subscribers (sync.ts); these functions only ask, then point the thread at the new reply.
 * A failure is shown above the composer (store.error); a message the context cannot hold waits for the user's
 * choice (store.overflow).
 */
import type { ConversationDetail } from '@shared/chat-schemas';
import type { ContractClient } from '@shared/contract';
import { asErrorInfo } from '../../lib/errors';
import { useChat, type DraftAttachment } from '../../stores/chat';
import { useUi } from '../../stores/ui';
import { closeConversation, expectLeaf, openConversation } from './sync';
import { leafUnder } from './tree';

export interface Outgoing {
  content: string;
  attachments: DraftAttachment[];
  /** The user message this one replaces as a new version (edit and resend). */
  editOf?: string;
  overflow?: 'error' | 'dropOldest';
}

const strip = (a: DraftAttachment[]) => a.map(({ name, text }) => ({ name, text }));

/** A reply is streaming in the conversation on screen: a second one waits. */
export const isReplying = (): boolean => useChat.getState().streamingId !== null;

/** Shows `detail` (just made by the core) and puts it in the page URL. */
function show(client: ContractClient, detail: ConversationDetail): Promise<void> {
  const opened = openConversation(client, detail.id, detail);
  useUi.getState().openConversation(detail.id);
  return opened;
}

async function ensureConversation(client: ContractClient): Promise<string> {
  const { meta, setup } = useChat.getState();
  if (meta) return meta.id;
  const detail = await client.call('conversations.create', {
    ...(setup.systemPrompt !== null ? { systemPrompt: setup.systemPrompt } : {}),
    ...(setup.presetId !== null ? { presetId: setup.presetId } : {}),
  });
  await show(client, detail);
  return detail.id;
}

/**
 * Where a new question goes: after the thread's last reply (the core's default), except when the thread ends in a
 * question without a reply (its reply was deleted or failed to start): the new one becomes a version of that question
 * instead, since a question follows a reply.
 */
function parentForNew(): string | null | undefined {
  const { nodes, leafId } = useChat.getState();
  const leaf = leafId ? nodes[leafId] : undefined;
  return leaf?.role === 'user' ? leaf.parentId : undefined;
}

/** Sends the composer's message (or an edit); returns false when it was not sent. */
export async function send(client: ContractClient, out: Outgoing): Promise<boolean> {
  const chat = useChat.getState();
  const content = out.content.trim();
  if (isReplying() || (content === '' && out.attachments.length === 0)) return false;
  chat.setError(null);
  chat.setOverflow(null);
  const fromComposer = !out.editOf;
  if (fromComposer) {
    chat.setDraft('');
    chat.setAttachments([]);
  }
  try {
    const conversationId = await ensureConversation(client);
    const parentId = fromComposer ? parentForNew() : undefined;
    const res = await client.call('chat.send', {
      conversationId,
      content,
      ...(parentId !== undefined ? { parentId } : {}),
      ...(out.attachments.length ? { attachments: strip(out.attachments) } : {}),
      ...(out.editOf ? { editOf: out.editOf } : {}),
      ...(out.overflow ? { overflow: out.overflow } : {}),
    });
    expectLeaf(res.replyMessageId);
    useChat.getState().setEditing(null);
    return true;
  } catch (e) {
    const info = asErrorInfo(e);
    const now = useChat.getState();
    if (info.code === 'CONTEXT_OVERFLOW') {
      // As typed (not trimmed): Back to editing returns exactly that.
      now.setOverflow({
        content: out.content,
        attachments: out.attachments,
        ...(out.editOf ? { editOf: out.editOf } : {}),
      });
    } else {
      now.setError(info);
    }
    // Nothing is lost: the text goes back where it was typed (unless the user typed something new meanwhile).
    if (fromComposer && now.draft === '' && now.attachments.length === 0 && info.code !== 'CONTEXT_OVERFLOW') {
      now.setDraft(out.content);
      now.setAttachments(out.attachments);
    }
    return false;
  }
}

/** Runs a call for the conversation on screen; its failure shows above the composer. */
async function act<T>(f: (conversationId: string) => Promise<T>): Promise<T | null> {
  const chat = useChat.getState();
  const id = chat.meta?.id;
  if (!id) return null;
  chat.setError(null);
  try {
    return await f(id);
  } catch (e) {
    useChat.getState().setError(asErrorInfo(e));
    return null;
  }
}

/** A new version of a reply (‹ n/n ›); the earlier ones stay. */
export async function regenerate(client: ContractClient, messageId: string): Promise<void> {
  if (isReplying()) return;
  const res = await act((conversationId) => client.call('chat.regenerate', { conversationId, messageId }));
  if (res) expectLeaf(res.replyMessageId);
}

/** Continues a reply cut by the length limit or stopped, in the same message. */
export async function continueReply(client: ContractClient, messageId: string): Promise<void> {
  if (isReplying()) return;
  await act((conversationId) => client.call('chat.continue', { conversationId, messageId }));
}

/** Stops the streaming reply; its text so far is kept (by the core). */
export async function stopReply(client: ContractClient): Promise<void> {
  if (!isReplying()) return;
  await act((conversationId) => client.call('chat.stop', { conversationId }));
}

/** Deletes a message and what follows it in its branch. */
export async function deleteMessage(client: ContractClient, messageId: string): Promise<void> {
  const detail = await act((id) => client.call('conversations.deleteMessage', { id, messageId }));
  if (detail && useChat.getState().meta?.id === detail.id) useChat.getState().load(detail);
}

/** A new conversation with the thread up to this message, opened. */
export async function forkAt(client: ContractClient, messageId: string): Promise<void> {
  const detail = await act((id) => client.call('conversations.fork', { id, messageId }));
  if (detail) await show(client, detail);
}

/** Shows version `siblingId` (and the newest branch below it); the core remembers it for every window. */
export async function switchVersion(client: ContractClient, siblingId: string): Promise<void> {
  const chat = useChat.getState();
  const leafId = leafUnder(chat.nodes, chat.children, siblingId);
  if (leafId === chat.leafId) return;
  chat.setLeaf(leafId);
  await act((id) => client.call('conversations.update', { id, leafId }));
}

/** The context is full: a new chat that starts from a summary of this one (made by the model). */
export async function summarizeInto(client: ContractClient): Promise<void> {
  const pending = useChat.getState().overflow;
  const detail = await act((conversationId) => client.call('chat.summarize', { conversationId }));
  if (!detail) return;
  await show(client, detail);
  if (pending) {
    useChat.getState().setDraft(pending.content);
    useChat.getState().setAttachments(pending.attachments);
  }
}

/** The context is full: the same message again, leaving the oldest turns out of the prompt. */
export async function sendDroppingOldest(client: ContractClient): Promise<void> {
  const pending = useChat.getState().overflow;
  if (pending) await send(client, { ...pending, overflow: 'dropOldest' });
}

/** The overflow choice dismissed: the message goes back into the composer. */
export function cancelOverflow(): void {
  const chat = useChat.getState();
  const pending = chat.overflow;
  chat.setOverflow(null);
  if (pending && !pending.editOf && chat.draft === '') {
    chat.setDraft(pending.content);
    chat.setAttachments(pending.attachments);
  }
}

/** System prompt / preset of the conversation on screen, or of the new chat before its first message. */
export async function updateSetup(
  client: ContractClient,
  patch: { systemPrompt?: string | null; presetId?: string | null },
): Promise<void> {
  const chat = useChat.getState();
  if (!chat.meta) {
    chat.setSetup(patch);
    return;
  }
  chat.setMeta(patch);
  await act((id) => client.call('conversations.update', { id, ...patch }));
}

/** A new, empty chat (created in the core with its first message). */
export function newChat(): void {
  closeConversation();
  useChat.getState().clear();
  useUi.getState().openConversation(null);
}
