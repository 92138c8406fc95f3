import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getText, peerCertificate, pinMatches, upstreamRequest } from './upstream-http';

async function makeCert(cn: string) {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 24 * 3600 * 1000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

describe('upstream-http', () => {
  let server: https.Server;
  let plain: http.Server;
  let fp = '';
  let other = '';
  let base = '';
  let plainBase = '';
  const seenAuth: (string | undefined)[] = [];

  beforeAll(async () => {
    const c = await makeCert('upstream-test');
    fp = c.fingerprint;
    other = (await makeCert('someone-else')).fingerprint;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      seenAuth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, big: 'x'.repeat(req.url === '/big' ? 100_000 : 0) }));
    };
    server = https.createServer({ key: c.key, cert: c.cert }, handler);
    plain = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    plainBase = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    plain.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => plain.close(r));
  });

  it('pinMatches compares fingerprints case-insensitively and fails closed without one', () => {
    expect(pinMatches({ fingerprint256: 'ab:cd' }, 'AB:CD')).toBe(true);
    expect(pinMatches({ fingerprint256: 'AB:CE' }, 'AB:CD')).toBe(false);
    expect(pinMatches({}, 'AB:CD')).toBe(false);
    expect(pinMatches(null, 'AB:CD')).toBe(false);
  });

  it('refuses a self-signed certificate without a pin (system CAs decide)', async () => {
    await expect(getText(`${base}/v1/models`, 'k', 5000)).rejects.toThrow(/self-signed|self signed|certificate/i);
  });

  it('accepts the pinned certificate and sends the key', async () => {
    seenAuth.length = 0;
    const r = await getText(`${base}/v1/models`, 'secret', 5000, { fingerprint256: fp.toLowerCase() });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).path).toBe('/v1/models');
    expect(seenAuth).toEqual(['Bearer secret']);
  });

  it('refuses another certificate than the pinned one before sending anything', async () => {
    seenAuth.length = 0;
    await expect(getText(`${base}/v1/models`, 'secret', 5000, { fingerprint256: other })).rejects.toMatchObject({
      code: 'ERR_TLS_PIN_MISMATCH',
      seen: fp,
    });
    expect(seenAuth).toEqual([]);
  });

  it('caps the body it reads', async () => {
    const r = await getText(`${base}/big`, '', 5000, { fingerprint256: fp }, 1000);
    expect(r.body.length).toBe(1000);
  });

  it('speaks plain http with upstreamRequest', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = upstreamRequest(new URL(`${plainBase}/x`), { method: 'GET' }, undefined, (res) => {
        let t = '';
        res.on('data', (d: Buffer) => (t += d.toString()));
        res.on('end', () => resolve(t));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body).path).toBe('/x');
  });

  it('peerCertificate shows an untrusted self-signed certificate', async () => {
    const info = await peerCertificate(new URL(base), 5000);
    expect(info.fingerprint256).toBe(fp);
    expect(info.trusted).toBe(false);
    expect(info.subject).toContain('CN=upstream-test');
    expect(info.validTo).not.toBe('');
  });

  it('times out on a server that never answers', async () => {
    const hang = http.createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/`;
    await expect(getText(url, '', 300)).rejects.toMatchObject({ code: 'ETIMEDOUT_UPSTREAM' });
    hang.closeAllConnections();
    await new Promise((r) => hang.close(r));
  });
});
