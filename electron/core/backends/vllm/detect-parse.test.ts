/**
 * `vllm --version` and our Python probe → what the detector reports. The version texts follow vLLM's CLI (argparse's
 * version action printing importlib.metadata.version("vllm")) and version strings seen in public reports (sources in
 * scripts/fake-vllm/SOURCES.md); the probe is our own script, so its JSON is ours, but its failures are Python's.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, parseProbe, parseVllmVersion, usableGpus, VLLM_PROBE } from './detect-parse';

describe('parseVllmVersion', () => {
  it.each([
    ['0.11.0\n', '0.11.0'],
    ['0.8.5\n', '0.8.5'],
    ['0.10.2.dev378+g4d7fe40fc.d20250829\n', '0.10.2.dev378+g4d7fe40fc.d20250829'],
    ['0.6.3.post2.dev355+g9d5b4e4d\n', '0.6.3.post2.dev355+g9d5b4e4d'],
    ['0.14.0rc1\n', '0.14.0rc1'],
    ['INFO 09-07 23:10:44 [__init__.py:239] Automatically detected platform cuda.\n0.9.1\n', '0.9.1'],
    ['', null],
    ["Traceback (most recent call last):\nModuleNotFoundError: No module named 'torch'\n", null],
    ['usage: vllm [-h] [-v]\n', null],
  ])('%j → %s', (out, v) => expect(parseVllmVersion(out)).toBe(v));

  it('reads the stand-in', () => {
    const fake = path.resolve(__dirname, '../../../../scripts/fake-vllm/vllm');
    const r = spawnSync(process.execPath, [fake, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(parseVllmVersion(r.stdout)).toBe('0.11.0');
  });
});

describe('compareVersions', () => {
  it.each([
    ['0.11.0', '0.9.2', 1],
    ['0.10.0', '0.10', 0],
    ['7.5', '7.0', 1],
    ['6.1', '7.0', -1],
    ['0.11.1rc2.dev45+g1', '0.11.1', 0],
  ])('%s vs %s', (a, b, sign) => expect(Math.sign(compareVersions(a, b))).toBe(sign));
});

describe('parseProbe', () => {
  it('a working install with two GPUs', () => {
    const out =
      JSON.stringify({
        vllm: '0.11.0',
        python: '3.12.3',
        torch: '2.8.0+cu128',
        cuda: '12.8',
        cuda_available: true,
        gpus: [
          { name: 'NVIDIA GeForce RTX 4090', total_memory: 25_393_692_672, capability: [8, 9] },
          { name: 'Tesla P40', total_memory: 25_620_447_232, capability: [6, 1] },
        ],
      }) + '\n';
    const r = parseProbe('INFO 10-26 21:47:20 [__init__.py:216] Automatically detected platform cuda.\n' + out, '');
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.info).toMatchObject({
      version: '0.11.0',
      python: '3.12.3',
      torch: '2.8.0+cu128',
      cuda: '12.8',
      cudaAvailable: true,
    });
    expect(r.info.gpus.map((g) => g.capability)).toEqual(['8.9', '6.1']);
    // vLLM needs compute capability 7.0: the P40 is listed but not usable.
    expect(usableGpus(r.info).map((g) => g.name)).toEqual(['NVIDIA GeForce RTX 4090']);
  });
  it('torch without CUDA (cuda null, no GPUs)', () => {
    const r = parseProbe(
      '{"vllm": "0.11.0", "python": "3.12.3", "torch": "2.8.0+cpu", "cuda": null, "cuda_available": false, "gpus": []}',
      '',
    );
    expect(r).toEqual({
      kind: 'ok',
      info: { version: '0.11.0', python: '3.12.3', torch: '2.8.0+cpu', cuda: null, cudaAvailable: false, gpus: [] },
    });
  });
  it('drops malformed GPU entries and refuses a JSON line without versions', () => {
    const r = parseProbe(
      '{"vllm": "0.11.0", "python": "3.12", "torch": "2.8", "gpus": [{"name": 5}, null, {"name": "x", "total_memory": -1, "capability": [8, 0]}]}',
      '',
    );
    expect(r.kind === 'ok' && r.info.gpus).toEqual([]);
    expect(parseProbe('{"python": "3.12"}', '').kind).toBe('unreadable');
    expect(parseProbe('{not json}', '').kind).toBe('unreadable');
  });
  it.each([
    [
      'Traceback (most recent call last):\n  File "<string>", line 2, in <module>\nModuleNotFoundError: No module named \'vllm\'\n',
      'not-installed',
    ],
    [
      'Traceback (most recent call last):\n  File "<string>", line 2, in <module>\nModuleNotFoundError: No module named \'torch\'\n',
      'not-installed',
    ],
    // a torch whose CUDA runtime is missing (the shape reported in public tracebacks of `import torch`)
    [
      'Traceback (most recent call last):\n    import torch\nOSError: libcudart.so.12: cannot open shared object file: No such file or directory\n',
      'broken',
    ],
    ["Traceback (most recent call last):\nModuleNotFoundError: No module named 'regex'\n", 'broken'],
    ['bash: python3: command not found\n', 'unreadable'],
  ])('stderr %j → %s', (stderr, kind) => expect(parseProbe('', stderr).kind).toBe(kind));

  it('the probe is valid Python where a python3 exists (it fails on the import here: no vLLM)', () => {
    const r = spawnSync('python3', ['-c', VLLM_PROBE], { encoding: 'utf8' });
    if (r.error) return; // no python3 on this machine: nothing to run the probe with
    expect(r.stderr).not.toMatch(/SyntaxError|IndentationError/);
    expect(parseProbe(r.stdout, r.stderr).kind).toMatch(/not-installed|ok/);
  });
});
