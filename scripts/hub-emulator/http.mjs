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
