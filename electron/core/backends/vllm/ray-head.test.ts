/**
 * The Ray head supervisor against a stand-in `ray` (a small Node script written here that answers `ray start --head
 * … --block` the way Ray does: prints "Ray runtime started." and the join command, then blocks until signalled, or
 * fails like a taken port). Real processes, real signals.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RayHeadStatus } from '../../../shared/backends';
import { tmpDir } from '../../../test/helpers';
import { RayHead } from './ray-head';

const STAND_IN = `
const args = process.argv.slice(2);
if (process.env.FAKE_RAY === 'fail') {
  console.error('ConnectionError: Ray is trying to start at 127.0.0.1:' + args[args.indexOf('--port') + 1] + ', but is already running');
  process.exit(1);
}
if (process.env.FAKE_RAY === 'silent') { setInterval(() => {}, 1000); return; }
require('fs').writeFileSync(process.env.FAKE_RAY_ARGS, JSON.stringify(args));
if (process.env.FAKE_RAY_PID) require('fs').writeFileSync(process.env.FAKE_RAY_PID, String(process.pid));
console.log('Local node IP: 10.1.2.3');
console.log('Ray runtime started.');
console.log("  ray start --address='10.1.2.3:" + args[args.indexOf('--port') + 1] + "'");
process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); });
setInterval(() => {}, 1000);
`;

let dir: string;
let script: string;
beforeAll(() => {
  dir = tmpDir('ray-head-');
  script = path.join(dir, 'fake-ray.js');
  fs.writeFileSync(script, `(function(){${STAND_IN}})();`);
});

let head: RayHead | null = null;
afterEach(async () => {
  await head?.dispose();
  head = null;
});

function make(env: NodeJS.ProcessEnv, statuses: RayHeadStatus[], startTimeoutMs = 20_000, logs: string[] = []) {
  head = new RayHead({
    spawn,
    env: { ...process.env, FAKE_RAY_ARGS: path.join(dir, 'args.json'), ...env },
    log: (l) => logs.push(l),
    emit: (s) => statuses.push(s),
    graceMs: 2000,
    startTimeoutMs,
  });
  return head;
}

describe('RayHead', () => {
  it('starts `ray start --head … --block`, reports the address Ray prints, stops on request', async () => {
    const seen: RayHeadStatus[] = [];
    const h = make({}, seen);
    const s = await h.start({ ray: [process.execPath, script], gpus: 2, port: 6390 });
    expect(s).toMatchObject({ state: 'running', address: '10.1.2.3:6390', error: null });
    expect(s.pid).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'args.json'), 'utf8'))).toEqual([
      'start',
      '--head',
      '--port',
      '6390',
      '--dashboard-host',
      '127.0.0.1',
      '--num-gpus',
      '2',
      '--block',
    ]);
    // A second start returns the running head.
    expect((await h.start({ ray: [process.execPath, script], gpus: 2 })).pid).toBe(s.pid);
    const stopped = await h.stop();
    expect(stopped).toMatchObject({ state: 'stopped', pid: null, error: null });
    expect(() => process.kill(s.pid!, 0)).toThrow();
    expect(seen.map((x) => x.state)).toEqual(['starting', 'running', 'stopped']);
  }, 30_000);

  it("inside WSL2: runs under the shell that ends Ray's group when its stdin closes; stop ends Ray there", async () => {
    // A stand-in wsl.exe: checks `-d DISTRO -e`, records its argv, runs the rest (as wsl.exe runs it in the distro).
    const wsl = path.join(dir, 'wsl');
    const argsFile = path.join(dir, 'wsl-args.txt');
    fs.writeFileSync(
      wsl,
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n[ "$1" = -d ] && [ "$3" = -e ] || exit 9\nshift 3\nexec "$@"\n`,
      { mode: 0o755 },
    );
    const pidFile = path.join(dir, 'ray.pid');
    const logs: string[] = [];
    const h = make({ FAKE_RAY_PID: pidFile }, [], 20_000, logs);
    const s = await h.start({ ray: [wsl, '-d', 'Ubuntu', '-e', process.execPath, script], gpus: 1, port: 6391 });
    expect(s).toMatchObject({ state: 'running', address: '10.1.2.3:6391' });
    const argv = fs.readFileSync(argsFile, 'utf8').split('\n');
    expect(argv.slice(0, 5)).toEqual(['-d', 'Ubuntu', '-e', 'sh', '-c']);
    expect(argv).toContain('deeplocal-ray');
    const rayPid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(rayPid, 0)).not.toThrow();
    expect((await h.stop()).state).toBe('stopped');
    expect(() => process.kill(rayPid, 0)).toThrow();
    // Ended by the shell's SIGTERM (Ray said so), not by our SIGKILL after the grace period.
    expect(logs).toContain('ray: stopping');
  }, 30_000);

  it("exits on its own → failed with RAY_FAILED and Ray's last line", async () => {
    const s = await make({ FAKE_RAY: 'fail' }, []).start({ ray: [process.execPath, script], gpus: 1 });
    expect(s.state).toBe('failed');
    expect(s.error?.code).toBe('RAY_FAILED');
    expect(s.error?.message).toMatch(/already running/);
  }, 30_000);

  it('never says it started → stopped, failed with RAY_FAILED after the start timeout', async () => {
    const s = await make({ FAKE_RAY: 'silent' }, [], 1500).start({ ray: [process.execPath, script], gpus: 1 });
    expect(s.state).toBe('failed');
    expect(s.error?.message).toMatch(/Ray runtime started/);
  }, 30_000);

  it('a ray that cannot be spawned → failed, the process lives on', async () => {
    const s = await make({}, []).start({ ray: [path.join(dir, 'no-such-ray')], gpus: 1 });
    expect(s.state).toBe('failed');
    expect(s.error?.code).toBe('RAY_FAILED');
  }, 30_000);
});
