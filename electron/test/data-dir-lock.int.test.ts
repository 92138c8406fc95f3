/**
 * One DeepLocal per data folder, with real processes: a second headless start on a folder in use is refused with
 * the first one's address and leaves the first one's llama-server alone (it used to SIGKILL it through the
 * stale-pid reaper); a folder left locked by a kill -9 is taken over by the next start; `cli pull` is refused
 * while the app runs there, read-only CLI commands are not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pidAlive, tmpDir, waitUntil } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..');
const tinyModel = inject('tinyModel');
const children: ChildProcess[] = [];

/** `node dist/electron/<entry>.mjs args` (headless or cli), with its output collected. */
function run(entry: 'headless' | 'cli', args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'electron', `${entry}.mjs`), ...args], {
    cwd: repoRoot,
    env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '', LC_MESSAGES: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

/** The user's `npm run serve -- …`: the launcher runs headless and hands its exit code on. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/start.mjs'), '--headless', ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DEEPLOCAL_SKIP_APP_BUILD: '1',
      DEEPLOCAL_SKIP_BACKEND_BUILD: '1',
      LC_ALL: '',
      LC_MESSAGES: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  }
});

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

async function chat(origin: string, token: string) {
  const res = await fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 8 }),
  });
  return { status: res.status, body: (await res.json()) as { choices?: { message?: { content?: string } }[] } };
}

describe('one DeepLocal per data folder', () => {
  it('a second headless start on the folder is refused with the first one’s URL; the first one’s llama-server keeps answering', async () => {
    const dataDir = tmpDir();
    const first = run('headless', ['--model', tinyModel, '--data-dir', dataDir]);
    expect(await waitUntil(() => /Model ready/.test(first.out.stdout), 60_000), first.out.stderr).toBe(true);
    const url = new URL(/DeepLocal ready: (\S+)/.exec(first.out.stdout)![1]!);
    const token = url.searchParams.get('token')!;
    const pidFile = readJson(path.join(dataDir, 'run', 'llama-server.pid')) as {
      backendPid: number;
      owner: { pid: number };
    };
    expect(pidFile.owner.pid).toBe(first.child.pid);
    const backendPid = pidFile.backendPid;
    expect(pidAlive(backendPid)).toBe(true);
    expect(readJson(path.join(dataDir, 'run', 'deeplocal.lock'))).toMatchObject({
      pid: first.child.pid,
      url: url.origin,
      shell: 'browser',
    });

    // Same folder, with a model too: before the lock it started, reaped the first one's backend and loaded its own.
    const second = serve(['--model', tinyModel, '--data-dir', dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.out.stderr).toContain(
      `DeepLocal: DeepLocal is already running with the folder ${dataDir}, at ${url.origin} (process ${first.child.pid}). Use that one, or stop it first.`,
    );
    expect(second.out.stdout).not.toMatch(/DeepLocal ready/);

    const zh = run('headless', ['--data-dir', dataDir], { LANG: 'zh_CN.UTF-8' });
    expect(await zh.exited).toBe(1);
    expect(zh.out.stderr).toContain(
      `DeepLocal 已在使用文件夹 ${dataDir} 运行，地址为 ${url.origin}（进程 ${first.child.pid}）`,
    );

    // The first instance is untouched: same backend process, still answering through the app, lock still its own.
    expect(pidAlive(backendPid)).toBe(true);
    const reply = await chat(url.origin, token);
    expect(reply.status).toBe(200);
    expect(typeof reply.body.choices?.[0]?.message?.content).toBe('string');
    expect(readJson(path.join(dataDir, 'run', 'llama-server.pid'))).toMatchObject({ backendPid });
    expect(readJson(path.join(dataDir, 'run', 'deeplocal.lock'))).toMatchObject({ pid: first.child.pid });

    // A clean stop frees the folder.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'run', 'deeplocal.lock'))).toBe(false);
  });

  it('a kill -9 leaves the lock behind; the next start takes it over without any clean-up', async () => {
    const dataDir = tmpDir();
    const first = run('headless', ['--data-dir', dataDir]);
    expect(await waitUntil(() => /DeepLocal ready/.test(first.out.stdout), 30_000), first.out.stderr).toBe(true);
    const lockFile = path.join(dataDir, 'run', 'deeplocal.lock');
    expect(await waitUntil(() => fs.existsSync(lockFile) && readJson(lockFile).url !== null, 5000)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(readJson(lockFile)).toMatchObject({ pid: first.child.pid });

    const next = run('headless', ['--data-dir', dataDir]);
    expect(await waitUntil(() => /DeepLocal ready/.test(next.out.stdout), 30_000), next.out.stderr).toBe(true);
    const origin = new URL(/DeepLocal ready: (\S+)/.exec(next.out.stdout)![1]!).origin;
    expect(readJson(lockFile)).toMatchObject({ pid: next.child.pid, url: origin });
    expect(next.out.stderr).not.toMatch(/already running/);
  });

  it('cli pull is refused while the app runs on the folder; cli models still lists', async () => {
    const dataDir = tmpDir();
    const app = run('headless', ['--data-dir', dataDir]);
    expect(await waitUntil(() => /DeepLocal ready/.test(app.out.stdout), 30_000), app.out.stderr).toBe(true);
    const origin = new URL(/DeepLocal ready: (\S+)/.exec(app.out.stdout)![1]!).origin;
    // The lock is checked before any lookup, so no hub is needed here.
    const pull = run('cli', ['pull', 'owner/repo:Q8_0', '--data-dir', dataDir]);
    expect(await pull.exited).toBe(1);
    expect(pull.out.stderr).toContain(
      `DeepLocal is already running with the folder ${dataDir}, at ${origin} (process ${app.child.pid})`,
    );
    const models = run('cli', ['models', '--data-dir', dataDir]);
    expect(await models.exited).toBe(0);
    expect(models.out.stdout).toMatch(/No models installed yet/);
  });
});
