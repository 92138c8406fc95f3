import { describe, expect, it } from 'vitest';
import { streamTool } from './process';

// A Node child stands in for a tool here: these tests are about process handling, not llama.cpp's output.
const node = process.execPath;

describe('streamTool', () => {
  it('streams both outputs as they grow and returns the exit code', async () => {
    const seen: string[] = [];
    const r = await streamTool(
      node,
      ['-e', 'process.stdout.write("[1]5.0,"); console.error("E boom"); process.exit(3)'],
      {
        signal: new AbortController().signal,
        onOutput: (out, err) => seen.push(out + '|' + err),
      },
    );
    expect(r).toMatchObject({ code: 3, stdout: '[1]5.0,', stderr: 'E boom\n', aborted: false, spawnError: null });
    expect(seen.at(-1)).toBe('[1]5.0,|E boom\n');
  });

  it('abort sends SIGTERM, then SIGKILL to a process that ignores it', async () => {
    const ac = new AbortController();
    const pids: number[] = [];
    const started = Date.now();
    const p = streamTool(
      node,
      ['-e', 'process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000)'],
      {
        signal: ac.signal,
        killGraceMs: 300,
        onChild: (pid) => pids.push(pid),
        onOutput: (out) => {
          if (out.includes('up')) ac.abort();
        },
      },
    );
    const r = await p;
    expect(r.aborted).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toContain('ignored');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(() => process.kill(pids[0]!, 0)).toThrow();
  });

  it('a missing executable is a spawn error, not a throw', async () => {
    const r = await streamTool('/nonexistent/llama-perplexity', [], { signal: new AbortController().signal });
    expect(r.spawnError).toMatch(/ENOENT/);
    expect(r.code).toBeNull();
  });

  it('keeps only the tail of a long output', async () => {
    const r = await streamTool(node, ['-e', 'process.stdout.write("x".repeat(5000) + "END")'], {
      signal: new AbortController().signal,
      maxChars: 100,
    });
    expect(r.stdout).toHaveLength(100);
    expect(r.stdout.endsWith('END')).toBe(true);
  });

  it('a throwing listener neither crashes the app nor stops the run', async () => {
    let calls = 0;
    const r = await streamTool(
      node,
      ['-e', 'process.stdout.write("a"); setTimeout(() => process.stdout.write("b"), 50)'],
      {
        signal: new AbortController().signal,
        onOutput: () => {
          calls++;
          throw new Error('listener bug');
        },
      },
    );
    expect(r).toMatchObject({ code: 0, stdout: 'ab', spawnError: null });
    expect(calls).toBeGreaterThanOrEqual(1);
  });

  it('a character split across two writes arrives whole', async () => {
    const script =
      'const b = Buffer.from("句"); process.stdout.write(b.subarray(0, 1)); setTimeout(() => process.stdout.write(b.subarray(1)), 50)';
    const r = await streamTool(node, ['-e', script], { signal: new AbortController().signal });
    expect(r.stdout).toBe('句');
  });

  it('an already aborted signal starts nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const pids: number[] = [];
    const r = await streamTool(node, ['-e', 'setInterval(() => {}, 1000)'], {
      signal: ac.signal,
      onChild: (p) => pids.push(p),
    });
    expect(r).toMatchObject({ aborted: true, code: null, spawnError: null });
    expect(pids).toEqual([]);
  });
});
