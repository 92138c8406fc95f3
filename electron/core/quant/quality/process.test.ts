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
});
