// Small HTTP response helpers shared by the hub emulator's routes.
import { consumeFault } from './faults.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function sendJson(res, status, body, headers = {}) {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s), ...headers });
  res.end(s);
}

/** Answers with the first 'status' fault in `list`, if any (returns whether it did). */
export function sendStatusFault(res, list) {
  const f = list.find((x) => x.kind === 'status');
  if (!f) return false;
  consumeFault(f);
  const headers = { 'content-type': 'text/plain' };
  if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
  res.writeHead(f.status ?? 500, headers);
  res.end(`injected ${f.status ?? 500}`);
  return true;
}

/**
 * Listens on host:port (0 = any free port) keeping its sockets, like a CDN's keep-alive, so that close() never waits on
 * a client. Returns { url, port, close }.
 */
export async function listen(server, port, host) {
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address();
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
