/**
 * The pure decisions of vLLM detection: what a probed candidate is, shebangs, `wsl -l -q`, WSL paths and environment,
 * the install guide. Probe texts are the shapes detect-parse.test.ts reads (VLLM_PROBE's JSON line, Python errors).
 */
import { describe, expect, it } from 'vitest';
import { parseProbe } from './detect-parse';
import {
  dedupeInstalls,
  installGuide,
  installOf,
  MIN_VLLM_VERSION,
  parseWslList,
  parseWslPaths,
  pythonFromShebang,
  toWslPath,
  wslEnv,
  wslPythonFor,
  type CandidateProbe,
  type VllmCandidate,
} from './detect-plan';

const venv: VllmCandidate = {
  id: 'venv:/home/u/.venvs/vllm/bin/vllm',
  source: 'venv',
  command: ['/home/u/.venvs/vllm/bin/vllm'],
  python: ['/home/u/.venvs/vllm/bin/python3'],
};
const py: VllmCandidate = {
  id: 'python:/usr/bin/python3',
  source: 'python',
  command: ['/usr/bin/python3', '-m', 'vllm.entrypoints.cli.main'],
  python: ['/usr/bin/python3'],
};

const gpu4090 = '{"name": "NVIDIA GeForce RTX 4090", "total_memory": 25393692672, "capability": [8, 9]}';
const gpuP40 = '{"name": "Tesla P40", "total_memory": 25769803776, "capability": [6, 1]}';
const okJson = (o: { v?: string; torch?: string; cuda?: string | null; avail?: boolean; gpus?: string[] } = {}) =>
  `{"vllm": "${o.v ?? '0.11.0'}", "python": "3.12.3", "torch": "${o.torch ?? '2.8.0+cu128'}", "cuda": ${
    o.cuda === null ? 'null' : `"${o.cuda ?? '12.8'}"`
  }, "cuda_available": ${o.avail === false ? 'false' : 'true'}, "gpus": [${(o.gpus ?? [gpu4090]).join(', ')}]}`;
const probed = (stdout: string, stderr = '', extra: Partial<CandidateProbe> = {}): CandidateProbe => ({
  probe: parseProbe(stdout, stderr),
  timedOut: false,
  versionOut: null,
  ...extra,
});
const noModule = (m: string) =>
  `Traceback (most recent call last):\n  File "<string>", line 2, in <module>\nModuleNotFoundError: No module named '${m}'\n`;

describe('installOf', () => {
  const rows: [
    string,
    VllmCandidate,
    CandidateProbe,
    NodeJS.Platform,
    { usable: boolean; code: string | null } | null,
  ][] = [
    ['a venv with vLLM 0.11 and a 4090', venv, probed(okJson()), 'linux', { usable: true, code: null }],
    ['the same on macOS', venv, probed(okJson()), 'darwin', { usable: false, code: 'VLLM_UNSUPPORTED_PLATFORM' }],
    ['vLLM 0.9.2: too old', venv, probed(okJson({ v: '0.9.2' })), 'linux', { usable: false, code: 'VLLM_TOO_OLD' }],
    [
      `vLLM ${MIN_VLLM_VERSION}rc1.dev3 counts as ${MIN_VLLM_VERSION}`,
      venv,
      probed(okJson({ v: `${MIN_VLLM_VERSION}rc1.dev3+gabc` })),
      'linux',
      { usable: true, code: null },
    ],
    [
      'a CPU build of torch',
      venv,
      probed(okJson({ torch: '2.8.0+cpu', cuda: null, avail: false, gpus: [] })),
      'linux',
      { usable: false, code: 'VLLM_NO_GPU' },
    ],
    [
      'CUDA torch, no driver',
      venv,
      probed(okJson({ avail: false, gpus: [] })),
      'linux',
      { usable: false, code: 'VLLM_NO_GPU' },
    ],
    [
      'only a Pascal GPU (capability 6.1)',
      venv,
      probed(okJson({ gpus: [gpuP40] })),
      'linux',
      { usable: false, code: 'VLLM_NO_GPU' },
    ],
    [
      'a Pascal and an Ada GPU',
      venv,
      probed(okJson({ gpus: [gpuP40, gpu4090] })),
      'linux',
      { usable: true, code: null },
    ],
    [
      'a venv whose torch is missing',
      venv,
      probed('', noModule('torch')),
      'linux',
      { usable: false, code: 'VLLM_PYTHON_ENV' },
    ],
    [
      'a venv whose CUDA runtime is missing',
      venv,
      probed('', 'Traceback (most recent call last):\nOSError: libcudart.so.12: cannot open shared object file\n'),
      'linux',
      { usable: false, code: 'VLLM_PYTHON_ENV' },
    ],
    ['a venv without vLLM, no version either', venv, probed('', noModule('vllm')), 'linux', null],
    [
      'a `vllm` whose Python was not found, but which prints its version',
      { ...venv, python: null },
      { probe: null, timedOut: false, versionOut: '0.11.0\n' },
      'linux',
      { usable: false, code: 'VLLM_PYTHON_ENV' },
    ],
    [
      'a probe that timed out',
      venv,
      { probe: null, timedOut: true, versionOut: null },
      'linux',
      { usable: false, code: 'VLLM_PYTHON_ENV' },
    ],
    ['PATH python3 without vLLM: not an install', py, probed('', noModule('vllm')), 'linux', null],
    ['PATH python3 whose torch is missing: dropped too', py, probed('', noModule('torch')), 'linux', null],
    ['PATH python3 with vLLM', py, probed(okJson()), 'linux', { usable: true, code: null }],
  ];
  it.each(rows)('%s', (_name, cand, probe, platform, want) => {
    const got = installOf(cand, probe, platform);
    if (want === null) return expect(got).toBeNull();
    expect(got).not.toBeNull();
    expect({ usable: got!.usable, code: got!.problem?.code ?? null }).toEqual(want);
    expect(got!.id).toBe(cand.id);
    expect(got!.command).toEqual(cand.command);
  });

  it('reports versions, CUDA and GPUs in MiB with their index', () => {
    const got = installOf(venv, probed(okJson({ gpus: [gpuP40, gpu4090] })), 'linux')!;
    expect(got).toMatchObject({ version: '0.11.0', python: '3.12.3', torch: '2.8.0+cu128', cuda: '12.8' });
    expect(got.gpus).toEqual([
      { index: 0, name: 'Tesla P40', memoryMiB: 24576, capability: '6.1' },
      { index: 1, name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24217, capability: '8.9' },
    ]);
  });

  it('a too-old install says which version and which minimum', () => {
    const got = installOf(venv, probed(okJson({ v: '0.8.5' })), 'linux')!;
    expect(got.problem?.params).toEqual({ version: '0.8.5', min: MIN_VLLM_VERSION });
  });
});

describe('dedupeInstalls', () => {
  it('keeps the first install of each environment', () => {
    const a = installOf(venv, probed(okJson()), 'linux')!;
    const b = { ...a, id: 'path:/home/u/.venvs/vllm/bin/vllm', source: 'path' as const };
    const c = installOf(py, probed(okJson()), 'linux')!;
    expect(dedupeInstalls([a, b, c], ['k1', 'k1', 'k2']).map((i) => i.id)).toEqual([a.id, c.id]);
  });
});

describe('pythonFromShebang', () => {
  it.each([
    ['#!/home/u/.venvs/vllm/bin/python3', ['/home/u/.venvs/vllm/bin/python3']],
    ['#!/opt/conda/envs/v/bin/python3.12', ['/opt/conda/envs/v/bin/python3.12']],
    ['#!/usr/bin/env python3', ['python3']],
    ['#! /usr/bin/python', ['/usr/bin/python']],
    ['#!/usr/bin/env node', null],
    ['#!/bin/sh', null],
    ['import sys', null],
    ['', null],
  ])('%j → %j', (line, want) => expect(pythonFromShebang(line)).toEqual(want));
});

describe('WSL', () => {
  it('wsl -l -q in UTF-16LE (read as UTF-8), with a BOM and docker helpers', () => {
    const utf16 = Buffer.from('\uFEFFUbuntu-24.04\r\ndocker-desktop\r\nDebian\r\n', 'utf16le').toString('utf8');
    expect(parseWslList(utf16)).toEqual(['Ubuntu-24.04', 'Debian']);
    expect(parseWslList('Ubuntu\n\nbad name; rm -rf\n')).toEqual(['Ubuntu']);
    expect(parseWslList('')).toEqual([]);
  });
  it('the listing script output: absolute vllm paths only, once each', () => {
    expect(
      parseWslPaths('/home/u/.venvs/vllm/bin/vllm\n/home/u/.venvs/vllm/bin/vllm\nrelative/vllm\n/usr/bin/vllmx\n'),
    ).toEqual(['/home/u/.venvs/vllm/bin/vllm']);
  });
  it.each([
    ['/home/u/.venvs/vllm/bin/vllm', '/home/u/.venvs/vllm/bin/python3'],
    ['/usr/local/bin/vllm', 'python3'],
    ['/home/u/.local/bin/vllm', 'python3'],
  ])('python for %s → %s', (p, want) => expect(wslPythonFor(p)).toBe(want));
  it.each([
    ['C:\\Users\\u\\models\\R1-7B-AWQ', '/mnt/c/Users/u/models/R1-7B-AWQ'],
    ['D:/m/x', '/mnt/d/m/x'],
    ['/home/u/m', '/home/u/m'],
  ])('toWslPath(%j) → %j', (p, want) => expect(toWslPath(p)).toBe(want));
  it('WSLENV gains the variables vLLM must see, once', () => {
    const env = wslEnv({ WSLENV: 'USERPROFILE/p', VLLM_API_KEY: 'k', PYTHONUNBUFFERED: '1' }, [
      'VLLM_API_KEY',
      'PYTHONUNBUFFERED',
      'CUDA_VISIBLE_DEVICES',
    ]);
    expect(env.WSLENV).toBe('USERPROFILE/p:VLLM_API_KEY/u:PYTHONUNBUFFERED/u');
    expect(wslEnv(env, ['VLLM_API_KEY']).WSLENV).toBe(env.WSLENV);
  });
});

describe('installGuide', () => {
  it('Linux: a venv, pip install vllm, checks, re-check', () => {
    const g = installGuide('linux');
    expect(g.platform).toBe('linux');
    expect(g.steps.map((s) => s.id)).toEqual(['nvidia', 'python', 'venv', 'install', 'check', 'recheck']);
    const all = g.steps.flatMap((s) => s.commands);
    expect(all).toContain('python3 -m venv ~/.venvs/vllm');
    expect(all).toContain('~/.venvs/vllm/bin/pip install vllm');
    expect(all).toContain('~/.venvs/vllm/bin/vllm --version');
  });
  it('Windows with a distro: the same steps run inside it', () => {
    const g = installGuide('win32', { available: true, distros: ['Ubuntu-22.04'] });
    expect(g.platform).toBe('wsl');
    expect(g.steps.map((s) => s.id)).toEqual([
      'wsl-distro',
      'wsl-nvidia',
      'nvidia',
      'python',
      'venv',
      'install',
      'check',
      'recheck',
    ]);
    expect(g.steps.find((s) => s.id === 'install')!.commands).toEqual([
      'wsl -d Ubuntu-22.04 -- ~/.venvs/vllm/bin/pip install vllm',
    ]);
  });
  it('Windows without WSL: install WSL2 first', () => {
    const g = installGuide('win32', { available: false, distros: [] });
    expect(g.platform).toBe('windows-no-wsl');
    expect(g.steps[0]).toEqual({ id: 'wsl-install', commands: ['wsl --install -d Ubuntu-24.04'] });
  });
  it('macOS: unsupported', () => {
    expect(installGuide('darwin')).toEqual({ platform: 'unsupported', steps: [{ id: 'macos', commands: [] }] });
  });
});
