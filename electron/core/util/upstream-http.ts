/**
 * Requests to a backend's endpoint (core/backends/backend.ts Endpoint), over http or https. Every client of an
 * endpoint (the chat, the OpenAI proxy, telemetry, the remote-server checks) goes through here, so a certificate the
 * user trusted is honoured everywhere and nowhere else.
 *
 * https without a pin: the system's certificate authorities decide (Node's default verification, host name
 * included). https with `tls.fingerprint256`: a self-signed certificate the user chose to trust — the chain is not
 * verified (rejectUnauthorized false), instead the peer certificate's SHA-256 fingerprint must equal the pinned one.
 * The check runs when the TLS handshake ends and BEFORE the socket is handed to the request (Agent.createConnection
 * with its callback), so not one byte (the API key in the headers) is sent to a server that is not the pinned one;
 * a mismatch or a missing certificate fails closed with an error naming the fingerprint seen.
 *
 * Connections: http keeps one connection per request (llama-server closes after every streamed reply; see
 * chat/completion-client.ts). https keeps connections alive (a TLS handshake costs round trips to another machine,
 * and measured on loopback 12.9 ms vs 1.9 ms per request), except after a streamed reply (see upstreamRequest);
 * each pooled connection was verified when it was made.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
/** Endpoint.tls (core/backends/backend.ts), repeated here: util imports nothing above it. */
export type EndpointTls = { fingerprint256: string | null } | undefined;

/** A fingerprint as Node prints it ("AB:CD:…", upper case), for comparing. */
export function normalizeFingerprint(fp: string): string {
  return fp.trim().toUpperCase();
}

/** Why a pinned connection was refused; `code` lets callers classify it as a TLS problem. */
export class PinMismatchError extends Error {
  readonly code = 'ERR_TLS_PIN_MISMATCH';
  constructor(
    readonly expected: string,
    readonly seen: string | null,
  ) {
    super(
      seen
        ? `the server's certificate (SHA-256 ${seen}) is not the trusted one (${expected})`
        : 'the server sent no certificate',
    );
  }
}

/** Pure: is this peer certificate the pinned one? */
export function pinMatches(cert: { fingerprint256?: string } | null | undefined, pinned: string): boolean {
  const seen = cert?.fingerprint256;
  return typeof seen === 'string' && seen.length > 0 && normalizeFingerprint(seen) === normalizeFingerprint(pinned);
}

/** An https Agent whose every new connection must present the pinned certificate. */
class PinnedAgent extends https.Agent {
  constructor(private readonly pinned: string) {
    // No session cache: every connection shows its certificate in a full handshake.
    super({ keepAlive: true, maxCachedSessions: 0 });
  }

  override createConnection(
    options: tls.ConnectionOptions,
    callback?: (err: Error | null, socket: net.Socket) => void,
  ): undefined {
    const socket = tls.connect({ ...options, rejectUnauthorized: false, session: undefined });
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      socket.destroy();
      callback?.(err, socket);
    };
    socket.once('secureConnect', () => {
      if (done) return;
      const cert = socket.getPeerCertificate();
      if (!pinMatches(cert, this.pinned)) {
        fail(new PinMismatchError(this.pinned, cert?.fingerprint256 || null));
        return;
      }
      done = true;
      socket.removeListener('error', fail);
      callback?.(null, socket);
    });
    socket.once('error', fail);
    return undefined;
  }
}

const httpAgent = new http.Agent({ keepAlive: false });
const httpsAgent = new https.Agent({ keepAlive: true });
const pinnedAgents = new Map<string, PinnedAgent>();

/** The agent for a URL and its TLS settings (http: one connection per request; https: kept alive, pinned or not). */
export function agentFor(url: URL, endpointTls?: EndpointTls): http.Agent {
  if (url.protocol !== 'https:') return httpAgent;
  const pin = endpointTls?.fingerprint256;
  if (!pin) return httpsAgent;
  const key = normalizeFingerprint(pin);
  let a = pinnedAgents.get(key);
  if (!a) {
    a = new PinnedAgent(key);
    pinnedAgents.set(key, a);
  }
  return a;
}

/**
 * A request to `url` (http or https) with the endpoint's TLS settings. `opts.agent` is chosen here unless given
 * (a given agent must suit the protocol). Errors arrive on the request's 'error' event as usual.
 */
export function upstreamRequest(
  url: URL,
  opts: http.RequestOptions,
  endpointTls?: EndpointTls,
  onResponse?: (res: http.IncomingMessage) => void,
): http.ClientRequest {
  const agent = opts.agent ?? agentFor(url, endpointTls);
  const o = { ...opts, agent };
  if (url.protocol !== 'https:') return http.request(url, o, onResponse);
  const req = https.request(url, o, (res) => {
    // A streamed reply's connection is not handed on: llama-server (and a DeepLocal in front of it) closes it after
    // the stream although its headers say keep-alive, and a request sent on it meanwhile fails with "socket hang
    // up" (measured: 28 of 60 back-to-back streamed replies through a TLS front). Plain answers (model lists,
    // metrics, token counts) keep their connection.
    if (/text\/event-stream/i.test(String(res.headers['content-type'] ?? '')))
      (req as { shouldKeepAlive: boolean }).shouldKeepAlive = false;
    onResponse?.(res);
  });
  return req;
}

export interface TextResponse {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface TextRequest {
  method?: string;
  /** `Authorization: Bearer` (none when empty). */
  apiKey?: string;
  /** JSON-encoded and sent with content-type application/json. */
  json?: unknown;
  headers?: http.OutgoingHttpHeaders;
  timeoutMs: number;
  signal?: AbortSignal;
  tls?: EndpointTls;
  /** Bytes of the body kept (the rest is read and dropped: what a remote server sends is hostile). */
  maxBytes?: number;
}

/**
 * One request whose answer is read whole (up to `maxBytes`). Rejects on connection errors, with TimeoutError after
 * `timeoutMs` without the whole answer, and with the signal's reason when it aborts.
 */
export function requestText(url: string | URL, o: TextRequest): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = typeof url === 'string' ? new URL(url) : url;
    } catch (e) {
      reject(e as Error);
      return;
    }
    if (o.signal?.aborted) {
      reject(o.signal.reason as Error);
      return;
    }
    const maxBytes = o.maxBytes ?? 4 * 1024 * 1024;
    const body = o.json === undefined ? undefined : Buffer.from(JSON.stringify(o.json));
    const headers: http.OutgoingHttpHeaders = { ...o.headers };
    if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    let settled = false;
    const done = (err: Error | null, value?: TextResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => {
      done(new TimeoutError(o.timeoutMs));
      req.destroy();
    }, o.timeoutMs);
    const onAbort = () => {
      done(o.signal!.reason instanceof Error ? o.signal!.reason : new Error('aborted'));
      req.destroy();
    };
    const method = o.method ?? (body ? 'POST' : 'GET');
    const req = upstreamRequest(target, { method, headers }, o.tls, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size >= maxBytes) return;
        const room = maxBytes - size;
        chunks.push(c.length > room ? c.subarray(0, room) : c);
        size += Math.min(c.length, room);
      });
      res.on('end', () =>
        done(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
      res.on('error', (e) => done(e));
      res.on('close', () => {
        if (!res.complete) done(new Error('the connection closed before the answer ended'));
      });
    });
    req.on('error', (e) => done(e));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

/** A GET with `Authorization: Bearer apiKey` (none when empty); see requestText. */
export function getText(
  url: string,
  apiKey: string,
  timeoutMs: number,
  endpointTls?: EndpointTls,
  maxBytes = 4 * 1024 * 1024,
): Promise<TextResponse> {
  return requestText(url, { apiKey, timeoutMs, tls: endpointTls, maxBytes });
}

/** getText gave up waiting. */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT_UPSTREAM';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export interface PeerCertificateInfo {
  fingerprint256: string;
  subject: string;
  issuer: string;
  validTo: string;
  /** Verified by the system's certificate authorities for this host name. */
  trusted: boolean;
  /** Why not, when not (e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  authorizationError: string | null;
}

const dn = (o: unknown): string =>
  o && typeof o === 'object'
    ? Object.entries(o as Record<string, unknown>)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
        .join(', ')
        .slice(0, 500)
    : '';

/**
 * Connects to an https URL only to look at its certificate (no request is sent): what the user compares before
 * trusting a self-signed one. Rejects on connection errors and after `timeoutMs`.
 */
export function peerCertificate(url: URL, timeoutMs: number): Promise<PeerCertificateInfo> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 443);
    const socket = tls.connect({
      host,
      port,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => socket.destroy(new TimeoutError(timeoutMs)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      let authorizationError: string | null = socket.authorized ? null : String(socket.authorizationError ?? '');
      // The chain may verify while the name does not match: that is not trusted either.
      if (socket.authorized && cert && Object.keys(cert).length > 0) {
        const nameError = tls.checkServerIdentity(host, cert);
        if (nameError) authorizationError = nameError.message;
      }
      socket.end();
      if (!cert || !cert.fingerprint256) {
        reject(new Error('the server sent no certificate'));
        return;
      }
      resolve({
        fingerprint256: cert.fingerprint256,
        subject: dn(cert.subject),
        issuer: dn(cert.issuer),
        validTo: String(cert.valid_to ?? ''),
        trusted: authorizationError === null,
        authorizationError,
      });
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
