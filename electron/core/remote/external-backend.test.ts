/**
 * ExternalBackend against a real local server that accepts connections and never answers (a server that hangs): a
 * run the user stops while it is still connecting stays stopped when its connect later fails, so the self-healing
 * supervision has no crash to "recover" from.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLoadOptions, type BackendStatus } from '../../shared/schemas';
import { BackendLog } from '../backends/backend-log';
import { ExternalBackend, remoteModelInfo } from './external-backend';

let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer(() => undefined); // never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function backend(checkTimeoutMs: number) {
  return new ExternalBackend({
    log: new BackendLog(100),
    checkTimeoutMs,
    resolve: async (id) => ({
      server: { id, name: 'hangs', url, trustedFingerprint256: null, addedAt: 0, lastCheck: null },
      apiKey: '',
    }),
  });
}

const start = (b: ExternalBackend) =>
  b.start({
    kind: 'external',
    external: { serverId: 's1', model: 'm' },
    model: remoteModelInfo(url, 'm'),
    options: defaultLoadOptions(),
  });

describe('ExternalBackend: a stop while connecting', () => {
  it('stays stopped when the connect it interrupted fails afterwards', async () => {
    const b = backend(300);
    const states: BackendStatus['state'][] = [];
    b.onStatus((s) => states.push(s.state));
    expect((await start(b)).state).toBe('starting');
    expect((await b.stop()).state).toBe('stopped');
    // Well past the connect's own timeout (300 ms): its REMOTE_TIMEOUT must not turn the stopped run into a crash.
    await new Promise((r) => setTimeout(r, 1200));
    expect(b.status().state).toBe('stopped');
    expect(b.status().error).toBeNull();
    expect(b.lastExit()).toEqual({ kind: 'stopped' });
    expect(states).toEqual(['starting', 'stopped']);
  });

  it('without a stop, the same hanging server ends the run as crashed with REMOTE_TIMEOUT', async () => {
    const b = backend(300);
    await start(b);
    await expect(b.waitReady()).rejects.toMatchObject({ code: 'REMOTE_TIMEOUT' });
    expect(b.status().state).toBe('crashed');
    expect(b.lastExit()).toMatchObject({ kind: 'exited', phase: 'loading' });
  });
});
