/**
 * Worker mode's refusals before anything runs (the running paths are rpc-feature.int.test.ts and
 * rpc-split.int.test.ts with the real ggml-rpc-server).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RpcWorkerMode } from '../../shared/backends';
import { RpcWorkerSupervisor, rpcServerPath } from './worker-mode';

const dirs: string[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function runtimeDir(withRpc: boolean): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-rpcmode-'));
  dirs.push(d);
  fs.writeFileSync(path.join(d, 'llama-server'), '');
  if (withRpc) fs.writeFileSync(path.join(d, 'ggml-rpc-server'), '');
  return d;
}

function supervisor(dir: string) {
  const events: RpcWorkerMode[] = [];
  const sup = new RpcWorkerSupervisor({
    serverPath: async () => path.join(dir, 'llama-server'),
    cacheDir: path.join(dir, 'cache'),
    env: {},
    onChange: (m) => events.push(m),
    note: () => undefined,
    interfaces: () => ({ eth0: [{ address: '192.168.1.7', family: 'IPv4', internal: false }] }),
  });
  return { sup, events };
}

const settings = { enabled: true, host: '127.0.0.1', port: 50052, devices: [], threads: 0, cache: true };

describe('worker mode refuses before running anything', () => {
  it('a runtime without ggml-rpc-server: RPC_NOT_BUILT with its path', async () => {
    const dir = runtimeDir(false);
    const { sup, events } = supervisor(dir);
    await expect(sup.start(settings)).rejects.toMatchObject({
      code: 'RPC_NOT_BUILT',
      params: { path: path.join(dir, 'ggml-rpc-server') },
    });
    expect(sup.state()).toMatchObject({ state: 'failed', pid: null, error: { code: 'RPC_NOT_BUILT' } });
    expect(events.map((e) => e.state)).toEqual(['failed']);
  });

  it.each(['localhost', '::', '300.1.1.1', ''])('a host it cannot bind (%s): RPC_BAD_ADDRESS', async (host) => {
    const { sup } = supervisor(runtimeDir(true));
    await expect(sup.start({ ...settings, host })).rejects.toMatchObject({ code: 'RPC_BAD_ADDRESS' });
  });

  it('a port that is taken: RPC_WORKER_MODE_FAILED in words; all interfaces: exposed, LAN addresses', async () => {
    const srv = net.createServer();
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '0.0.0.0', r));
    const port = (srv.address() as net.AddressInfo).port;
    const { sup } = supervisor(runtimeDir(true));
    await expect(sup.start({ ...settings, host: '0.0.0.0', port })).rejects.toMatchObject({
      code: 'RPC_WORKER_MODE_FAILED',
    });
    expect(sup.state()).toMatchObject({ state: 'failed', exposed: true, addresses: [`192.168.1.7:${port}`] });
    expect(sup.state().error?.params?.reason).toMatch(/could not listen/);
  });

  it('ggml-rpc-server sits beside llama-server', () => {
    expect(rpcServerPath('/rt/bin/llama-server', 'linux')).toBe('/rt/bin/ggml-rpc-server');
    expect(rpcServerPath('C:/rt/llama-server.exe', 'win32')).toMatch(/ggml-rpc-server\.exe$/);
  });
});
