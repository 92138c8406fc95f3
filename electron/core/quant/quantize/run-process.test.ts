import { describe, expect, it } from 'vitest';
import { runProcess } from './run-process';

const node = process.execPath;

describe('runProcess', () => {
  it('streams lines from both streams and reports the exit', async () => {
    const seen: string[] = [];
    const r = await runProcess(
      node,
      [
        '-e',
        'process.stdout.write("a\\nb"); process.stderr.write("c\\n"); setTimeout(() => { process.stdout.write("\\n"); process.exit(3) }, 50)',
      ],
      { signal: new AbortController().signal, onLine: (l, s) => seen.push(`${s}:${l}`) },
    );
    expect(r).toMatchObject({ code: 3, signal: null, missing: false, aborted: false });
    expect(seen.sort()).toEqual(['stderr:c', 'stdout:a', 'stdout:b']);
    expect(r.tail).toHaveLength(3);
  });

  it('gives raw text as it comes (progress without newlines)', async () => {
    let text = '';
    await runProcess(node, ['-e', 'process.stdout.write("[1]3.5,[2]3.4,")'], {
      signal: new AbortController().signal,
      onLine: () => undefined,
      onText: (t) => (text += t),
    });
    expect(text).toBe('[1]3.5,[2]3.4,');
  });

  it('abort: SIGTERM, then SIGKILL for a process that ignores it', async () => {
    const ac = new AbortController();
    const pids: number[] = [];
    const started = Date.now();
    const r = await runProcess(
      node,
      ['-e', 'process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000)'],
      {
        signal: ac.signal,
        graceMs: 300,
        onChild: (pid) => pids.push(pid),
        onLine: (l) => {
          if (l === 'up') ac.abort();
        },
      },
    );
    expect(r.aborted).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.tail).toContain('ignored');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(() => process.kill(pids[0]!, 0)).toThrow();
  });

  it('an already aborted signal starts nothing; a missing binary is missing', async () => {
    const ac = new AbortController();
    ac.abort();
    const pids: number[] = [];
    const r = await runProcess(node, ['-e', ''], {
      signal: ac.signal,
      onLine: () => undefined,
      onChild: (p) => pids.push(p),
    });
    expect(r.aborted).toBe(true);
    expect(pids).toEqual([]);
    const m = await runProcess('/nonexistent/llama-quantize', [], {
      signal: new AbortController().signal,
      onLine: () => undefined,
    });
    expect(m.missing).toBe(true);
  });
});
