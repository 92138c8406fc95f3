import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable, runTool } from './run-tool';

describe('runTool', () => {
  it('captures output and exit code', async () => {
    const r = await runTool(process.execPath, [
      '-e',
      'process.stdout.write("hi"); process.stderr.write("err"); process.exit(3)',
    ]);
    expect(r).toMatchObject({ ok: false, code: 3, stdout: 'hi', stderr: 'err', timedOut: false, missing: false });
  });

  it('kills a hung tool at the deadline, without blocking the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const t0 = Date.now();
    const r = await runTool(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 });
    clearInterval(timer);
    expect(r.timedOut).toBe(true);
    expect(r.ok).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(ticks).toBeGreaterThan(5);
  });

  it('reports a missing tool instead of throwing', async () => {
    const r = await runTool('/nonexistent/tool', []);
    expect(r).toMatchObject({ missing: true, ok: false });
  });

  it('keeps at most maxBytes', async () => {
    const r = await runTool(process.execPath, ['-e', 'process.stdout.write("x".repeat(100000))'], { maxBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
  });
});

describe('findExecutable', () => {
  it('looks through PATH for executable files only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-find-'));
    fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'plain'), 'x', { mode: 0o644 });
    const env = { PATH: ['/nonexistent', dir].join(path.delimiter) };
    if (process.platform !== 'win32') {
      expect(await findExecutable('tool', env)).toBe(path.join(dir, 'tool'));
      expect(await findExecutable('plain', env)).toBeNull();
    }
    expect(await findExecutable('missing', env)).toBeNull();
    expect(await findExecutable('tool', {})).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
