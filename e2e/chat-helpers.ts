/**
 * Shared by the chat e2e specs: open the chat page, read the conversation id from the URL, the core's thread, send
 * from the composer, a loaded model with automatic titles off (restored after), and conversations to seed through
 * our own import (the JSON format the export writes).
 */
import { expect, test, type Page } from '@playwright/test';
import type { ConversationDetail } from '../electron/shared/chat-schemas';
import type { BackendStatus, Settings } from '../electron/shared/schemas';
import { appUrl, rpc } from './app';

export const model = () => process.env.DEEPLOCAL_E2E_MODEL!;

/** The app's URL with `hash` (a route such as `#/chat/<id>`). */
export function urlWith(hash: string) {
  const u = new URL(appUrl());
  u.hash = hash;
  return u.toString();
}

export async function open(page: Page, hash = '#/chat') {
  await page.goto(urlWith(hash));
  await expect(page.getByTestId('status-pill')).toBeVisible();
}

/** The conversation id the page shows, from its URL. */
export const idOf = (page: Page) => /#\/chat\/([^/?#]+)/.exec(page.url())?.[1] ?? null;

export const getConversation = (id: string) => rpc<ConversationDetail>('conversations.get', { id });

/** The thread from the root to the leaf, as the core has it. */
export function threadOf(c: ConversationDetail) {
  const byId = new Map(c.messages.map((m) => [m.id, m]));
  const out = [];
  for (let id = c.leafId; id !== null; id = byId.get(id)!.parentId) out.unshift(byId.get(id)!);
  return out;
}

export async function sendFromComposer(page: Page, text: string) {
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
  await expect(page.getByTestId('message-user').last()).toContainText(text.split('\n')[0]!);
}

/** Serial, with the model loaded and automatic titles off (they would ask the model between tests). */
export function chatSuite() {
  test.describe.configure({ mode: 'serial' });
  // The specs share one headless app: what a chat suite changes (the wizard flag, a running model) is put back, so a
  // spec after it (foundation: nothing loaded; models: the first-run wizard) meets the app as it found it.
  let before: { setupWizard: Settings['setupWizard']; running: boolean } | null = null;
  test.beforeAll(async () => {
    const settings = await rpc<Settings>('settings.get', {});
    const s = await rpc<BackendStatus>('backend.status', {});
    before = { setupWizard: settings.setupWizard, running: s.state !== 'stopped' };
    await rpc('settings.update', { setupWizard: 'dismissed', chat: { autoTitle: false } });
    if (s.state !== 'ready') {
      await rpc('backend.start', { modelPath: model() });
      await expect
        .poll(async () => (await rpc<BackendStatus>('backend.status', {})).state, { timeout: 60_000 })
        .toBe('ready');
    }
  });
  test.afterAll(async () => {
    await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95 }, chat: { autoTitle: true } });
    if (!before) return;
    if (!before.running) await rpc('backend.stop', {});
    await rpc('settings.update', { setupWizard: before.setupWizard });
  });
}

/** A finished question and answer (ids m1, m2), as our export writes a conversation; import gives it a new id. */
export function seedConversation(title: string, updatedAt: number, question: string, answer: string) {
  const message = (id: string, parentId: string | null, role: 'user' | 'assistant', content: string) => ({
    id,
    parentId,
    role,
    content,
    reasoning: '',
    attachments: [],
    createdAt: updatedAt,
    status: 'done',
    finishReason: role === 'assistant' ? 'stop' : null,
    timings: null,
    error: null,
    reasoningMs: null,
    model: role === 'assistant' ? 'Test' : null,
  });
  return {
    id: 'seed',
    title,
    createdAt: updatedAt,
    updatedAt,
    model: 'Test',
    pinned: false,
    messageCount: 2,
    streaming: false,
    titleAuto: false,
    systemPrompt: null,
    presetId: null,
    leafId: 'm2',
    messages: [message('m1', null, 'user', question), message('m2', 'm1', 'assistant', answer)],
  };
}

/** An export file holding `conversations`, the text conversations.import takes. */
export const exportFile = (conversations: unknown[]) =>
  JSON.stringify({ format: 'deeplocal.conversations', version: 1, conversations });
