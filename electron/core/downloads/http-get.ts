/**
 * GET for download segments over node:http / node:https, following redirects like fetch's `redirect: 'follow'`.
 * Not fetch: for bulk bytes, WHATWG streams cost a promise and an allocation per chunk on top of the socket's own, and
 * on a fast link that was a third of the downloader's main-thread time. Bodies are plain Node streams, read by
 * `for await`; keep-alive agents let the next segment reuse the connection.
 */
import http from 'node:http';
import https from 'node:https';

export interface GetResponse {
  status: number;
  /** The final response's headers (after redirects). */
  headers: Headers;
  body: AsyncIterable<Uint8Array>;
  /** Abandons the body (frees the connection without reading the rest). */
  cancel(): void;
}

export type HttpGet = (url: string, headers: Record<string, string>, signal: AbortSignal) => Promise<GetResponse>;

const MAX_REDIRECTS = 10;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else h.set(k, v);
  }
  return h;
}

function once(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!mod) return reject(new TypeError(`unsupported protocol ${url.protocol}`));
    const req = mod.request(url, { method: 'GET', headers, agent: agents[url.protocol as 'http:' | 'https:'] });
    const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      // The body stays abortable: a stall or a pause destroys it, and reading it then rejects.
      res.once('close', () => signal.removeEventListener('abort', onAbort));
      resolve(res);
    });
    req.once('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? signal.reason : e);
    });
    req.end();
  });
}

export const nodeGet: HttpGet = async (url, headers, signal) => {
  let at = new URL(url);
  for (let hops = 0; ; hops++) {
    const res = await once(at, headers, signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && status !== 304 && location) {
      res.resume();
      if (hops >= MAX_REDIRECTS) throw new TypeError(`too many redirects from ${url}`);
      at = new URL(location, at);
      continue;
    }
    return {
      status,
      headers: toHeaders(res.headers),
      body: res,
      cancel: () => res.destroy(),
    };
  }
};
