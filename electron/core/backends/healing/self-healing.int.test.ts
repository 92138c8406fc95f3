/**
 * Self-healing supervision against the real llama-server (CPU build, tiny synthetic model), through the composed
 * core: kill -9 mid-stream twenty times in a row, and a stopped (SIGSTOP) process found hung and replaced.
 */
import fs from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { Core } from '../../app';
import type { HealingOptions } from '../../compose/backend';
import type { BackendStatus, ChatEvent } from '../../../shared/schemas';
import { coreUnderTest } from '../../../test/core-under-test';
import { pidAlive, readSse, startApp, waitForStatus, waitUntil } from '../../../test/helpers';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const direct = { transport: 'direct' as const };

const cores = coreUnderTest(resourcesDir);

function startCore(healing: HealingOptions, env?: NodeJS.ProcessEnv, settings?: object): Promise<Core> {
  return cores.start({ prefix: 'dl-heal-', healing, ...(env ? { env } : {}), ...(settings ? { settings } : {}) });
}

/** Our llama-server children, from /proc (ppid = this process, comm llama-server). */
function ourLlamaServers(): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === 'llama-server' && Number(ppid) === process.pid && state !== 'Z') pids.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** The backend pid in run/llama-server.pid (backend-pidfile.ts), null without one. */
function pidFileNames(): number | null {
  try {
    return (JSON.parse(fs.readFileSync(`${cores.dataDir}/run/llama-server.pid`, 'utf8')) as { backendPid: number })
      .backendPid;
  } catch {
    return null;
  }
}

/** One streamed reply through the contract: its deltas' text and how it ended. */
function chat(c: Core, requestId: string, maxTokens: number, onDelta?: () => void) {
  let text = '';
  const ended = new Promise<ChatEvent>((resolve) => {
    const off = c.bus.on('chat.event', (e) => {
      if (e.requestId !== requestId) return;
      if (e.type === 'delta') {
        text += (e.content ?? '') + (e.reasoning ?? '');
        onDelta?.();
      } else {
        off();
        resolve(e);
      }
    });
  });
  return {
    started: c.handlers['chat.start'](
      {
        requestId,
        messages: [{ role: 'user', content: 'Tell me a long story.' }],
        sampling: { max_tokens: maxTokens, seed: 1 },
      },
      direct,
    ),
    ended,
    text: () => text,
  };
}

describe('self-healing supervision', () => {
  it(
    'kill -9 mid-stream, 20 times in a row: partial reply kept, ready again, no orphan, conversation intact',
    { timeout: 420_000 },
    async () => {
      const c = await startCore({ backoffMs: (ms) => ms / 4 });
      const created = await c.handlers['conversations.create']({ title: 'before the crashes' }, direct);
      const seqs: number[] = [];
      c.backend.onStatus((s) => seqs.push(s.seq));

      // ~5 s a round; on a 2-core machine shared with other jobs the 20 rounds have taken 200 s.
      await c.handlers['backend.start']({ modelPath: tinyModel, options: { contextSize: 1024 } }, direct);
      let ready = await waitForStatus(c, (s) => s.state === 'ready', 60_000);
      // A conversation with one exchange, stored before the crashes.
      await c.handlers['chat.send'](
        { conversationId: created.id, content: 'hello', sampling: { max_tokens: 3, seed: 1 } },
        direct,
      );
      await c.conversationChat.idle();
      const conversation = await c.handlers['conversations.get']({ id: created.id }, direct);
      expect(conversation.messages.map((m) => [m.role, m.status])).toEqual([
        ['user', 'done'],
        ['assistant', 'done'],
      ]);
      const killed: number[] = [];
      for (let round = 1; round <= 20; round++) {
        const pid = ready.pid!;
        expect(ourLlamaServers()).toEqual([pid]);
        // A long reply: once its first deltas arrived, the backend is killed.
        let deltas = 0;
        const long = chat(c, `long-${round}`, 4000, () => {
          if (++deltas === 1) process.kill(pid, 'SIGKILL');
        });
        await long.started;
        const end = await long.ended;
        expect(end).toMatchObject({ type: 'error', error: { code: 'BACKEND_CRASHED' } });
        expect(long.text().length).toBeGreaterThan(0);
        killed.push(pid);

        const restarting = await waitForStatus(c, (s) => s.recovery?.phase === 'restarting' || s.runId > ready.runId);
        // Every round starts from zero failed tries: the short reply below was served.
        expect(restarting.recovery).toMatchObject({ attempt: 1, maxAttempts: 3, steps: [] });
        expect(restarting.recovery?.reason.code).toBe('BACKEND_CRASHED');
        const next = await waitForStatus(c, (s) => s.state === 'ready' && s.runId > ready.runId, 60_000);
        expect(next.pid).not.toBe(pid);
        expect(next.recovery).toMatchObject({ phase: 'restarted', restarts: round, attempt: 1 });
        expect(await waitUntil(() => !pidAlive(pid), 5000)).toBe(true);
        expect(ourLlamaServers()).toEqual([next.pid]);
        // The pid file names the new backend (the old one's exit removed only its own record).
        expect(await waitUntil(() => pidFileNames() === next.pid, 5000)).toBe(true);

        // A served reply resets the count.
        const short = chat(c, `short-${round}`, 3);
        await short.started;
        expect(await short.ended).toMatchObject({ type: 'done', cancelled: false });
        expect(await waitUntil(() => c.backend.status().recovery?.attempt === 0, 5000)).toBe(true);
        ready = c.backend.status();
      }
      expect(killed.every((p) => !pidAlive(p))).toBe(true);
      // One coherent sequence across the 21 runs.
      expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
      expect(await c.handlers['conversations.get']({ id: created.id }, direct)).toEqual(conversation);
    },
  );

  it('a stopped process (SIGSTOP) is found hung, killed and replaced', { timeout: 120_000 }, async () => {
    const c = await startCore({ hangTimeoutMs: 2500, watchdogIntervalMs: 500, backoffMs: (ms) => ms / 4 });
    await c.handlers['backend.start']({ modelPath: tinyModel }, direct);
    const ready = await waitForStatus(c, (s) => s.state === 'ready', 60_000);
    const pid = ready.pid!;
    const seen: BackendStatus[] = [];
    c.backend.onStatus((s) => seen.push(s));
    process.kill(pid, 'SIGSTOP');
    const crashed = await waitForStatus(c, (s) => s.state === 'crashed', 30_000);
    expect(crashed.error?.code).toBe('BACKEND_HUNG');
    expect(crashed.recovery).toMatchObject({ phase: 'restarting', attempt: 1, reason: { code: 'BACKEND_HUNG' } });
    expect(c.backend.lastExit()).toMatchObject({ kind: 'exited', error: { code: 'BACKEND_HUNG' } });
    const again = await waitForStatus(c, (s) => s.state === 'ready' && s.runId > ready.runId, 60_000);
    expect(again.pid).not.toBe(pid);
    expect(again.recovery).toMatchObject({ phase: 'restarted', restarts: 1, reason: { code: 'BACKEND_HUNG' } });
    expect(await waitUntil(() => !pidAlive(pid), 5000)).toBe(true);
    expect(ourLlamaServers()).toEqual([again.pid]);
    const logs = c.backend.recentLogs(200).map((l) => l.text);
    expect(logs.some((l) => /answered neither \/health nor \/slots/.test(l))).toBe(true);
    expect(seen.map((s) => s.state)).toEqual(expect.arrayContaining(['crashed', 'starting', 'loading', 'ready']));
  });

  it(
    'gives up after 3 failed tries in a row, retry starts the last options again, a user stop forgets it all',
    { timeout: 180_000 },
    async () => {
      const c = await startCore({ backoffMs: () => 100 });
      await c.handlers['backend.start']({ modelPath: tinyModel }, direct);
      let ready = await waitForStatus(c, (s) => s.state === 'ready', 60_000);
      // No reply is served in between: every kill is one more failed try.
      for (let attempt = 1; attempt <= 3; attempt++) {
        process.kill(ready.pid!, 'SIGKILL');
        const next = await waitForStatus(c, (s) => s.state === 'ready' && s.runId > ready.runId, 60_000);
        expect(next.recovery).toMatchObject({ phase: 'restarted', attempt, restarts: attempt });
        ready = next;
      }
      process.kill(ready.pid!, 'SIGKILL');
      const gaveUp = await waitForStatus(c, (s) => s.state === 'crashed' && s.runId === ready.runId);
      expect(gaveUp.recovery).toMatchObject({ phase: 'gave-up', attempt: 3, maxAttempts: 3, nextAt: null });
      expect(gaveUp.recovery?.reason.code).toBe('BACKEND_CRASHED');
      await new Promise((r) => setTimeout(r, 500));
      expect(c.backend.status()).toMatchObject({ state: 'crashed', runId: ready.runId });
      expect(ourLlamaServers()).toEqual([]);

      const retried = await c.handlers['backend.retry']({}, direct);
      expect(['starting', 'loading']).toContain(retried.state);
      const again = await waitForStatus(c, (s) => s.state === 'ready' && s.runId > ready.runId, 60_000);
      expect(again.recovery).toMatchObject({ phase: 'restarted', attempt: 0, restarts: 4 });

      // Settings are read on each decision: with auto-restart off, the next crash stays a crash.
      await c.settings.update({ backend: { autoRestart: false } });
      process.kill(again.pid!, 'SIGKILL');
      const left = await waitForStatus(c, (s) => s.state === 'crashed' && s.runId === again.runId);
      expect(left.recovery?.phase).toBe('gave-up');
      const stopped = await c.handlers['backend.stop']({}, direct);
      expect(stopped).toMatchObject({ state: 'stopped', recovery: null });
      expect(ourLlamaServers()).toEqual([]);
    },
  );

  it(
    'reloads the last model when the app starts (DEEPLOCAL_RELOAD_LAST_MODEL=1), with the saved load options',
    { timeout: 120_000 },
    async () => {
      const c = await startCore(
        {},
        { ...process.env, DEEPLOCAL_RELOAD_LAST_MODEL: '1' },
        { recentModels: [tinyModel], loadOptions: { contextSize: 1024 } },
      );
      const ready = await waitForStatus(c, (s) => s.state === 'ready' || s.state === 'crashed', 60_000);
      expect(ready).toMatchObject({ state: 'ready', model: { path: tinyModel }, options: { contextSize: 1024 } });
      expect(c.backend.recentLogs(200).some((l) => l.text === `reloading the last model: ${tinyModel}`)).toBe(true);
    },
  );

  it('a whole streamed reply through the OpenAI proxy counts as served', { timeout: 120_000 }, async () => {
    const app = await startApp(resourcesDir);
    try {
      await app.core.handlers['backend.start']({ modelPath: tinyModel }, direct);
      const ready = await waitForStatus(app.core, (s) => s.state === 'ready', 60_000);
      process.kill(ready.pid!, 'SIGKILL');
      const again = await waitForStatus(app.core, (s) => s.state === 'ready' && s.runId > ready.runId, 60_000);
      expect(again.recovery).toMatchObject({ phase: 'restarted', attempt: 1 });
      const res = await fetch(`${app.http.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true }),
      });
      expect(res.status).toBe(200);
      expect((await readSse(res)).at(-1)).toBe('[DONE]');
      expect(await waitUntil(() => app.core.backend.status().recovery?.attempt === 0, 5000)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
