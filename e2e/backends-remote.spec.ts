/**
 * An external OpenAI-compatible server from the GUI (issue 15 §2), in Chromium against its own headless app. "The
 * server" is a real llama-server started here with --api-key on the synthetic tiny model. On #/backends: a wrong key
 * is refused with the translated message; the right one lists the server's model; the server is saved (its key in a
 * 0600 file, never in the server list); connecting makes it the backend, the status bar names it, and a chat reply
 * streams from that server (its own token count grows by the reply).
 *
 * Its own app (not the shared one): the connected server stays the backend until the app stops.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import type { RemoteServer } from '../electron/shared/backends';
import type { BackendStatus } from '../electron/shared/schemas';
import { ensureTestModel } from '../scripts/make-test-model.mjs';
import { rpcAt, startApp, type StartedApp } from './app';
import {
  askInChat,
  backendReady,
  openBackends,
  startKeyedLlamaServer,
  tokensPredicted,
  type Started,
} from './backends-helpers';

const KEY = 'sk-e2e-remote-5f1c9a';
const NAME = 'Lab box';
const REPLY_TOKENS = 12;

let app: StartedApp;
let server: Started & { base: string };
const rpc = <T = unknown>(method: string, params: object) => rpcAt<T>(app.url, method, params);

test.beforeAll(async () => {
  const model = await ensureTestModel({ preset: 'tiny', seed: 1 });
  server = await startKeyedLlamaServer(model, KEY);
  app = await startApp({ profile: 'no-driver' });
  await rpc('settings.update', {
    setupWizard: 'dismissed',
    chat: { autoTitle: false },
    sampling: { temperature: 0, max_tokens: REPLY_TOKENS },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await server?.stop();
});

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('connect to a keyed server: wrong key refused in words, models listed, connected, chat streams through it', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // What the server itself says it serves: the UI must show this id.
  const listed = (await (
    await fetch(`${server.base}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })
  ).json()) as { data: { id: string }[] };
  const modelId = listed.data[0]!.id;

  await openBackends(page, app.url);
  const form = page.getByTestId('remote-form');
  await expect(form).toBeVisible();

  await test.step('a wrong key: the check fails with the translated message', async () => {
    await form.getByTestId('remote-url').fill(server.base);
    await form.getByTestId('remote-name').fill(NAME);
    await form.getByTestId('remote-key').fill('sk-not-the-key');
    await form.getByTestId('remote-check').click();
    await expect(page.getByTestId('remote-check-result')).toHaveAttribute('data-ok', 'false', { timeout: 30_000 });
    const error = page.getByTestId('remote-error');
    await expect(error).toContainText('refused the API key (HTTP 401)');
    await expect(error).toContainText('Check the key.');
    // The words, not the code.
    await expect(error).not.toContainText('REMOTE_AUTH');
  });

  await test.step('the right key: the check lists the server’s model; saved', async () => {
    await form.getByTestId('remote-key').fill(KEY);
    await form.getByTestId('remote-check').click();
    const result = page.getByTestId('remote-check-result');
    await expect(result).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(result).toContainText(modelId);
    await expect(page.getByTestId('remote-error')).toHaveCount(0);
    await form.getByTestId('remote-add').click();
    await expect(page.getByTestId('remote-row')).toHaveCount(1);
  });

  const [saved] = await rpc<RemoteServer[]>('remote.list', {});
  await test.step('the key is kept in a file only this user can read, never in the server list', async () => {
    expect(saved).toMatchObject({ name: NAME, hasKey: true, keyStorage: 'file' });
    expect(saved!.url).toContain(`127.0.0.1:${server.port}`);
    const holding = filesUnder(app.dataDir).filter((f) => fs.readFileSync(f).includes(KEY));
    expect(holding, 'exactly one file holds the key').toHaveLength(1);
    expect(fs.statSync(holding[0]!).mode & 0o777).toBe(0o600);
  });

  await test.step('connect to its model: the backend is the server, the status bar names it', async () => {
    const row = page.locator(`[data-testid="remote-row"][data-id="${saved!.id}"]`);
    await expect(row).toContainText(NAME);
    await expect(row.getByTestId('remote-model')).toContainText(modelId);
    await row.getByTestId('remote-model').selectOption(modelId);
    await row.getByTestId('remote-connect').click();
    const status = await backendReady(app.url, 60_000);
    expect(status.kind).toBe('external');
    expect(status.target).toMatchObject({ kind: 'external', serverId: saved!.id, serverName: NAME, model: modelId });
    await expect(page.getByTestId('status-kind')).toContainText(NAME);
  });

  await test.step('a chat reply streams from the server', async () => {
    const before = await tokensPredicted(server.base, KEY);
    await page.getByTestId('nav-chat').click();
    const reply = await askInChat(page, 'Hello there');
    await expect(reply.getByTestId('reply-stats')).toContainText(`${REPLY_TOKENS} out`);
    expect((await reply.innerText()).trim().length).toBeGreaterThan(0);
    // The server generated it: its own counter grew by (at least) the reply's tokens.
    expect(await tokensPredicted(server.base, KEY)).toBeGreaterThanOrEqual(before + REPLY_TOKENS);
    await expect(page.getByTestId('status-kind')).toContainText(NAME);
    const after = await rpc<BackendStatus>('backend.status', {});
    expect(after).toMatchObject({ state: 'ready', kind: 'external' });
  });

  await test.step('the Model page names the server, not a file (no architecture, no size)', async () => {
    await page.getByTestId('nav-model').click();
    const facts = page.locator('.facts').first();
    await expect(facts).toContainText('Server');
    await expect(facts).toContainText(NAME);
    await expect(facts).not.toContainText('remote');
    await expect(facts).not.toContainText('Architecture');
  });
});
