/**
 * What the history panel does through the core: delete with undo, export as a downloaded file, import a file.
 * Deciding (which conversation is open, what to name the file) is kept apart from the calls.
 */
import type { ContractClient, Params } from '@shared/contract';
import type { ErrorInfo } from '@shared/errors';
import { useToasts } from '../../stores/toasts';
import { useUi } from '../../stores/ui';

export type ExportFormat = Params<'conversations.export'>['format'];

/** The contract's bound on an import (conversations.import: text ≤ 30,000,000 characters). */
export const MAX_IMPORT_CHARS = 30_000_000;

/**
 * A file name safe to offer for download: no folders, no control or reserved characters, not empty, not too long.
 * The core names the file; the name still goes through here before it reaches the user's disk.
 */
export function safeFileName(name: string, fallback: string): string {
  const cleaned = name
    .replace(/^.*[\\/]/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 180);
  return cleaned === '' ? fallback : cleaned;
}

/** Saves text as a file the browser downloads (Blob + a[download]); works the same in the desktop window. */
export function downloadText(file: { fileName: string; mimeType: string; text: string }): void {
  const blob = new Blob([file.text], { type: file.mimeType || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = safeFileName(file.fileName, 'deeplocal-export');
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the click; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One or more conversations (ids) or all of them (undefined), downloaded as a file. */
export async function exportConversations(
  client: ContractClient,
  ids: string[] | undefined,
  format: ExportFormat,
): Promise<void> {
  downloadText(await client.call('conversations.export', { ...(ids ? { ids } : {}), format }));
}

/**
 * Deletes a conversation and offers Undo in a toast (conversations.restore, valid until the app quits). The chat
 * page leaves a conversation deleted under it for a new chat, and comes back to it on Undo.
 */
export async function deleteWithUndo(client: ContractClient, item: { id: string; title: string }): Promise<void> {
  const { id, title } = item;
  await client.call('conversations.delete', { id });
  const ui = useUi.getState();
  const wasOpen = ui.view === 'chat' && ui.conversationId === id;
  if (wasOpen) ui.openConversation(null);
  useToasts.getState().notify({
    level: 'info',
    kind: 'conversation-deleted',
    text: 'history.deleted',
    params: { title },
    action: {
      label: 'history.undo',
      run: () => void restore(client, id, title, wasOpen),
    },
  });
}

async function restore(client: ContractClient, id: string, title: string, reopen: boolean): Promise<void> {
  const { restored } = await client.call('conversations.restore', { id });
  if (!restored) return;
  const ui = useUi.getState();
  // Only if the user has not moved on to another conversation meanwhile.
  if (reopen && ui.view === 'chat' && ui.conversationId === null) ui.openConversation(id);
  useToasts
    .getState()
    .notify({ level: 'info', kind: 'conversation-restored', text: 'history.restored', params: { title } });
}

/** A file this big cannot hold ≤ MAX_IMPORT_CHARS characters (a character is at most 4 UTF-8 bytes): not read. */
export const tooBigToRead = (bytes: number): boolean => bytes > MAX_IMPORT_CHARS * 4;

/** Why a file's text cannot be an import before it is sent: too big for the contract, or empty. */
export function importProblem(text: string): 'tooBig' | 'empty' | null {
  if (text.trim() === '') return 'empty';
  if (text.length > MAX_IMPORT_CHARS) return 'tooBig';
  return null;
}

/** An IMPORT_INVALID error made here (the core makes the same for a file that is not ours). */
export const importInvalid = (reason: string): ErrorInfo => ({
  code: 'IMPORT_INVALID',
  message: reason,
  params: { reason },
});
