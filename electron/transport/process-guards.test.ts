/**
 * The process-wide net in a real Node process: a rejection nobody handles and an exception thrown from a timer are
 * reported and the process keeps running (Node's default for both is to exit).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

function runWithGuards(body: string, guarded: boolean) {
  const { outputFiles } = buildSync({
    stdin: {
      contents: `import { installProcessGuards } from './process-guards';
        ${guarded ? `installProcessGuards((e, kind) => console.error('reported', kind, e instanceof Error ? e.message : String(e)));` : 'void installProcessGuards;'}
        ${body}
        setTimeout(() => console.log('still alive'), 100);`,
      resolveDir: __dirname,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
  });
  return spawnSync(process.execPath, ['--input-type=module', '-e', outputFiles[0]!.text], {
    encoding: 'utf8',
    cwd: path.dirname(__dirname),
    timeout: 10_000,
  });
}

describe('installProcessGuards', () => {
  it.each([
    {
      kind: 'unhandledRejection',
      body: `void Promise.reject(new Error('stray rejection'));`,
      message: 'stray rejection',
    },
    {
      kind: 'uncaughtException',
      body: `setTimeout(() => { throw new Error('stray exception'); }, 10);`,
      message: 'stray exception',
    },
    { kind: 'unhandledRejection', body: `void Promise.reject(undefined);`, message: 'undefined' },
  ])('$kind: reported, the process lives on', ({ kind, body, message }) => {
    const r = runWithGuards(body, true);
    expect(r.stderr).toContain(`reported ${kind} ${message}`);
    expect(r.stdout).toContain('still alive');
    expect(r.status).toBe(0);
  });

  it('without the guards the same stray rejection ends the process (what the guards are for)', () => {
    const r = runWithGuards(`void Promise.reject(new Error('stray rejection'));`, false);
    expect(r.stdout).not.toContain('still alive');
    expect(r.status).not.toBe(0);
  });
});
