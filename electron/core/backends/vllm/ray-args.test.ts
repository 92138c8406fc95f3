import { describe, expect, it } from 'vitest';
import {
  rayAddress,
  rayCommandFor,
  rayHeadArgs,
  rayLayout,
  rayServeArgs,
  rayWorkerArgs,
  rayWorkerCommand,
} from './ray-args';

// Flags as Ray's CLI (ray start) and vLLM's multi-node docs spell them.
describe('ray argv', () => {
  it.each([
    [{ gpus: 2 }, ['start', '--head', '--port', '6379', '--dashboard-host', '127.0.0.1', '--num-gpus', '2', '--block']],
    [
      { gpus: 8, port: 6380 },
      ['start', '--head', '--port', '6380', '--dashboard-host', '127.0.0.1', '--num-gpus', '8', '--block'],
    ],
  ])('head %j', (o, want) => {
    expect(rayHeadArgs(o)).toEqual(want);
  });

  it.each([
    [{ head: '10.0.0.5', gpus: 4 }, ['start', '--address', '10.0.0.5:6379', '--num-gpus', '4', '--block']],
    [
      { head: 'gpu-head.lan', gpus: 1, port: 7000 },
      ['start', '--address', 'gpu-head.lan:7000', '--num-gpus', '1', '--block'],
    ],
    [{ head: 'fd00::5', gpus: 2 }, ['start', '--address', '[fd00::5]:6379', '--num-gpus', '2', '--block']],
    [{ head: '[fd00::5]', gpus: 2 }, ['start', '--address', '[fd00::5]:6379', '--num-gpus', '2', '--block']],
  ])('worker %j', (o, want) => {
    expect(rayWorkerArgs(o)).toEqual(want);
  });

  it('address', () => {
    expect([rayAddress('h'), rayAddress('::1', 1)]).toEqual(['h:6379', '[::1]:1']);
  });

  it.each([
    ['equal nodes', { host: 'a', gpus: 4 }, [{ host: 'b', gpus: 4 }], { nodes: 2, gpusPerNode: 4 }],
    [
      'the smallest node sets GPUs per node',
      { host: 'a', gpus: 8 },
      [
        { host: 'b', gpus: 2 },
        { host: 'c', gpus: 4 },
      ],
      { nodes: 3, gpusPerNode: 2 },
    ],
  ])('layout: %s', (_n, head, workers, want) => {
    expect(rayLayout(head, workers)).toEqual(want);
  });

  it('serve: Ray executor, pipeline parallel across nodes', () => {
    expect(rayServeArgs({ nodes: 2 })).toEqual([
      '--distributed-executor-backend',
      'ray',
      '--pipeline-parallel-size',
      '2',
    ]);
  });

  it.each([
    [
      'IP worker gets VLLM_HOST_IP',
      { host: '10.0.0.7', gpus: 2 },
      [
        'env',
        'VLLM_HOST_IP=10.0.0.7',
        '/v/bin/ray',
        'start',
        '--address',
        '10.0.0.5:6379',
        '--num-gpus',
        '2',
        '--block',
      ],
    ],
    [
      'named worker: no env',
      { host: 'box2', gpus: 2 },
      ['/v/bin/ray', 'start', '--address', '10.0.0.5:6379', '--num-gpus', '2', '--block'],
    ],
  ])('worker command: %s', (_n, w, want) => {
    expect(rayWorkerCommand(['/v/bin/ray'], w, '10.0.0.5', 2)).toEqual(want);
  });
});

describe('rayCommandFor', () => {
  it.each([
    [['/home/u/.venvs/vllm/bin/vllm'], ['/home/u/.venvs/vllm/bin/ray']],
    [
      ['/usr/bin/python3', '-m', 'vllm.entrypoints.cli.main'],
      ['/usr/bin/python3', '-m', 'ray.scripts.scripts'],
    ],
    [
      ['wsl', '-d', 'Ubuntu', '-e', '/home/u/venv/bin/vllm'],
      ['wsl', '-d', 'Ubuntu', '-e', '/home/u/venv/bin/ray'],
    ],
    [
      ['wsl', '-d', 'Ubuntu', '-e', 'python3', '-m', 'vllm.entrypoints.cli.main'],
      ['wsl', '-d', 'Ubuntu', '-e', 'python3', '-m', 'ray.scripts.scripts'],
    ],
    [['vllm'], ['ray']],
    [['/opt/tool/something-else'], null],
    [[], null],
  ])('%j → %j', (cmd, want) => {
    expect(rayCommandFor(cmd)).toEqual(want);
  });
});
