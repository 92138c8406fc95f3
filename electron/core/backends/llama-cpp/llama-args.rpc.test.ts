/**
 * options.rpcServers → llama-server --rpc (common/arg.cpp at de3ff81: one flag, "comma-separated list of RPC servers
 * (host:port)"; parsing it registers the workers' devices RPC0, RPC1, …, so it must precede -dev / -mmdev).
 */
import { describe, expect, it } from 'vitest';
import { defaultLoadOptions, type LoadOptions } from '../../../shared/schemas';
import { buildLlamaServerArgs } from './llama-args';

const gpuDefaults = defaultLoadOptions().gpus;
const build = (o: Partial<LoadOptions>) =>
  buildLlamaServerArgs({ modelPath: '/models/m.gguf', apiKeyFile: '/k', options: { ...defaultLoadOptions(), ...o } });
const runOf = (args: string[], flag: string, n = 1) => {
  const i = args.indexOf(flag);
  return i < 0 ? null : args.slice(i, i + 1 + n);
};

describe('--rpc', () => {
  it.each<[string, Partial<LoadOptions>, string[] | null, { fitOff: boolean }]>([
    ['no workers: no --rpc', { rpcServers: [] }, null, { fitOff: false }],
    [
      "one worker; --fit left on (it counts the workers' memory)",
      { rpcServers: ['192.168.1.7:50052'] },
      ['--rpc', '192.168.1.7:50052'],
      { fitOff: false },
    ],
    [
      'two, comma-separated in order',
      { rpcServers: ['127.0.0.1:50052', 'gpu-box:6000'] },
      ['--rpc', '127.0.0.1:50052,gpu-box:6000'],
      { fitOff: false },
    ],
    [
      'with explicit GPU layers (then --fit off, as without workers)',
      { rpcServers: ['127.0.0.1:50052'], gpuLayers: 99 },
      ['--rpc', '127.0.0.1:50052'],
      { fitOff: true },
    ],
  ])('%s', (_name, o, want, { fitOff }) => {
    const args = build(o);
    expect(runOf(args, '--rpc')).toEqual(want);
    expect(runOf(args, '--fit')).toEqual(fitOff ? ['--fit', 'off'] : null);
    expect(args.filter((a) => a === '--rpc').length).toBe(want ? 1 : 0);
  });

  it('comes before any flag that names devices', () => {
    const args = build({ rpcServers: ['127.0.0.1:50052'], gpus: { ...gpuDefaults, devices: ['CUDA0'] } });
    expect(args.indexOf('--rpc')).toBeGreaterThan(-1);
    expect(args.indexOf('--rpc')).toBeLessThan(args.indexOf('-dev'));
  });
});
