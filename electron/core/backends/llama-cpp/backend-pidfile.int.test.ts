/**
 * The start-up reaper against a real llama-server: it ends a backend whose recorded owner is gone (or whose owner
 * pid now belongs to a later process) and leaves alone one whose owner still runs, or a pid file naming no owner.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { selfIdentity } from '../../lock/process-probe';
import { pidAlive, tmpDir, waitUntil } from '../../../test/helpers';
import { BACKEND_PID_FILE, reapStaleBackend, writeBackendPidFile } from './backend-pidfile';

const llamaServer = inject('llamaServer');
const tinyModel = inject('tinyModel');
const backends: ChildProcess[] = [];

afterEach(async () => {
  for (const c of backends.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
});

/** A real llama-server on the tiny model, as a previous DeepLocal would have left it. */
function startBackend(): ChildProcess {
  const child = spawn(llamaServer, ['-m', tinyModel, '--host', '127.0.0.1', '--port', '0', '-c', '256', '--no-ui'], {
    stdio: 'ignore',
  });
  backends.push(child);
  return child;
}
const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('stale backend reaper', () => {
  it.each([
    { why: 'its owner is dead', owner: async () => ({ pid: deadPid(), start: null }), killed: true },
    {
      why: 'its owner pid was reused by a later process',
      owner: async () => ({ pid: process.pid, start: 'another-boot:1' }),
      killed: true,
    },
    // The reported bug: a second DeepLocal on the folder killed the first one's live backend.
    { why: 'its owner still runs', owner: () => selfIdentity(), killed: false },
  ])('$why → killed: $killed', async ({ owner, killed }) => {
    const runDir = tmpDir();
    const backend = startBackend();
    expect(await waitUntil(() => pidAlive(backend.pid!), 5000)).toBe(true);
    await writeBackendPidFile(runDir, backend.pid!, await owner());
    const logs: string[] = [];
    await reapStaleBackend(runDir, (m) => logs.push(m));
    if (killed) {
      expect(await waitUntil(() => exited(backend), 10_000)).toBe(true);
      expect(backend.signalCode).toBe('SIGKILL');
      expect(logs.join('\n')).toMatch(new RegExp(`ending llama-server ${backend.pid}`));
      expect(fs.existsSync(path.join(runDir, BACKEND_PID_FILE))).toBe(false);
    } else {
      await new Promise((r) => setTimeout(r, 300));
      expect(exited(backend)).toBe(false);
      expect(logs.join('\n')).toMatch(/still running; left alone/);
      expect(fs.existsSync(path.join(runDir, BACKEND_PID_FILE))).toBe(true);
    }
  });

  it('a pid file naming no owner (older versions) kills nothing', async () => {
    const runDir = tmpDir();
    const backend = startBackend();
    fs.writeFileSync(path.join(runDir, BACKEND_PID_FILE), String(backend.pid));
    const logs: string[] = [];
    await reapStaleBackend(runDir, (m) => logs.push(m));
    await new Promise((r) => setTimeout(r, 300));
    expect(exited(backend)).toBe(false);
    expect(logs.join('\n')).toMatch(/names no owner/);
    expect(fs.existsSync(path.join(runDir, BACKEND_PID_FILE))).toBe(false);
  });
});
