/**
 * HTTP + WebSocket transport for the browser UI and other programs. Loopback only, one token (headless keeps it
 * across runs; setToken replaces it), Host and Origin checked on every request (DNS rebinding, cross-site pages),
 * errors as JSON with a code.
 *   GET  /               the built renderer (static, no token: the page reads it from ?token=)
 *   POST /api/rpc/:method contract call, JSON params → JSON result
 *   GET  /api/ws          WebSocket: contract calls and event subscriptions
 *   /v1/*                 OpenAI-compatible API forwarded to the running model
 *   GET  /metrics         Prometheus text (GPU, CPU, RAM, tokens/s, requests), same token
 * /v1 and /metrics also take a named API key (apiKeys.*). LAN mode (transport/lan) runs this same handler over
 * HTTPS on LAN addresses with another policy: only /health, /v1/* and /metrics; named keys only (never the token);
 * Host checked against the LAN names; a CORS allow-list instead of the loopback Origin check.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WsClientFrame, type EventBus, type Handlers, type WsServerFrame } from '../shared/contract';
import { AppError, toErrorInfo } from '../shared/errors';
import { WS_PATH, WS_PROTOCOL } from '../shared/ws-client';
import type { Backend, Endpoint } from '../core/backends/backend';
import type { JitLoader } from '../core/api/jit';
import type { MetricsSnapshot } from '../core/telemetry/sampler';
import { createDispatcher, invokeToEnvelope } from './dispatch';
import { deferContinue, listen, readBody, refuseConnect, SECURITY_HEADERS, sendError, sendRawError } from './http-io';
import { renderMetrics } from './metrics';
import { serveStatic } from './static-files';
import { createSubscriptions } from './subscriptions';
import { isProxyPath, proxyToBackend, routeOpenAi, validateProxyBody, type ProxyHooks } from './openai-proxy';
import { decodePath, parseRequestTarget } from './request-target';
import { applyCors } from './lan/cors';
import {
  checkApiCredential,
  checkHost,
  checkOrigin,
  checkSingleHost,
  checkToken,
  isLoopbackHost,
  LOOPBACK_HOSTS,
  type GuardConfig,
} from './security';

export interface HttpTransportOptions {
  core: {
    handlers: Handlers;
    bus: EventBus;
    /** Present on the full core: serves /metrics. */
    monitoring?: { telemetry: { metricsSnapshot(): Promise<MetricsSnapshot> } };
    requestCounts?: { chat: number };
    /** Present on the full core: /v1 requests naming another installed model load it (core/api/jit.ts). */
    jit?: JitLoader;
    /** Present on the full core: /v1/embeddings only where the backend serves them. */
    backend?: Pick<Backend, 'capabilities'>;
  };
  endpoint: () => Endpoint | null;
  token: string;
  host?: string;
  port?: number;
  /** Built renderer (dist/renderer); null serves no UI. */
  staticDir: string | null;
  maxBodyBytes?: number;
  proxyHooks?: ProxyHooks;
  /** Where a failure to answer at all is reported (default: stderr). It never reaches the process. */
  onInternalError?: (e: unknown) => void;
  /** Named API keys (apiKeys.*): accepted beside the token for /v1 and /metrics. */
  apiKeys?: { verify(key: string): boolean };
  /** LAN mode: this listener is HTTPS on a LAN address with the LAN policy (see the header). */
  lan?: LanListen;
  /** OpenAI-compatible request counts for /metrics, shared by the listeners of one process (default: this one's). */
  proxyCount?: ProxyCount;
}

export interface LanListen {
  tls: { key: string; cert: string };
  /** Host names (without port) accepted in Host: the addresses listened on and the machine's names. */
  hosts: string[];
  /** Web origins allowed by CORS, read at each request (Settings may change them while it runs). */
  corsOrigins: () => readonly string[];
}

export interface ProxyCount {
  total: number;
  inFlight: number;
}

/** What LAN mode serves: the API for other programs, not the UI or the contract. */
const isLanPath = (pathname: string) => pathname === '/health' || pathname === '/metrics' || isProxyPath(pathname);

export interface HttpTransport {
  port: number;
  url: string;
  /**
   * Requires `token` from now on: the old one is refused at once, and WebSocket sessions opened with it are closed
   * (code 4001 'token changed'), a session's call in flight first getting its reply (the caller of server.newToken).
   */
  setToken(token: string): void;
  close(): Promise<void>;
}

/**
 * The page's meta CSP cannot set frame-ancestors; the header repeats the policy and adds it. No `ws://[::1]:*`:
 * CSP host-sources have no IPv6 literals (Chromium drops it with a console error); a page served from
 * http://[::1]:PORT reaches its own WebSocket through 'self', which matches ws: on the page's host and port (CSP3).
 */
export const HTML_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function startHttpTransport(opts: HttpTransportOptions): Promise<HttpTransport> {
  const host = opts.host ?? '127.0.0.1';
  const lan = opts.lan ?? null;
  if (!lan && !isLoopbackHost(host)) {
    throw new AppError('UNSUPPORTED', {
      what: `listening on ${host} (the API listens on loopback only; use an SSH tunnel for remote access)`,
    });
  }
  const invoke = createDispatcher(opts.core.handlers);
  // Read at every check, never captured: server.newToken replaces it while the server runs.
  let token = opts.token;
  /** Open sessions: the token each was opened with, and its calls in flight. */
  const sessions = new Map<WebSocket, { token: string; inFlight: number }>();
  const TOKEN_CHANGED = 4001;
  const maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  const guard: GuardConfig = lan
    ? { port: 0, hosts: [...lan.hosts], scheme: 'https' }
    : { port: 0, hosts: [...LOOPBACK_HOSTS] };
  if (!guard.hosts.includes(host)) guard.hosts.push(host);
  /** /v1 and /metrics: the token on loopback only, named keys on both. */
  const verifyKey = opts.apiKeys ? (k: string) => opts.apiKeys!.verify(k) : null;
  const checkApi = (req: http.IncomingMessage) => checkApiCredential(req.headers, lan ? null : token, verifyKey);

  // OpenAI-compatible requests, counted here (the transport is where they arrive) for /metrics.
  const proxyCount: ProxyCount = opts.proxyCount ?? { total: 0, inFlight: 0 };
  const proxyHooks: ProxyHooks = {
    onStart() {
      proxyCount.total++;
      proxyCount.inFlight++;
      opts.proxyHooks?.onStart?.();
    },
    onEnd() {
      proxyCount.inFlight--;
      opts.proxyHooks?.onEnd?.();
    },
  };

  /** Host (exactly one, ours), an absolute-form target's authority, and Origin: before anything else is read. */
  const checkHead = (req: http.IncomingMessage, authority: string | null) => {
    checkSingleHost(req.rawHeaders);
    checkHost(req.headers, guard);
    if (authority !== null) checkHost({ host: authority }, guard);
    // LAN mode checks Origin against its CORS allow-list (applyCors) instead.
    if (!lan) checkOrigin(req.headers, guard);
  };

  /** Last resort for a failure in answering itself: the connection goes, the process stays. */
  const report = opts.onInternalError ?? ((e: unknown) => console.error('DeepLocal: HTTP transport:', e));

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    let openAi = false;
    try {
      const { pathname, search, authority } = parseRequestTarget(req.url, req.method);
      openAi = isProxyPath(pathname);
      checkHead(req, authority);
      if (lan) {
        if (applyCors(req, res, guard, lan.corsOrigins())) return;
        if (!isLanPath(pathname)) throw new AppError('NOT_FOUND', { path: pathname.slice(0, 200) });
      }
      if (pathname === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
        return;
      }
      if (pathname.startsWith('/api/rpc/')) {
        checkToken(req.headers, token);
        if (req.method !== 'POST') throw new AppError('NOT_FOUND', { path: `${req.method} ${pathname}`.slice(0, 200) });
        const method = decodePath(pathname.slice('/api/rpc/'.length));
        const body = await readBody(req, res, maxBody);
        let params: unknown = {};
        if (body.length) {
          try {
            params = JSON.parse(body.toString('utf8'));
          } catch {
            throw new AppError('BAD_JSON');
          }
        }
        const env = await invokeToEnvelope(invoke, method, params, { transport: 'http' });
        if (!env.ok) return sendError(req, res, AppError.from(env.error));
        const json = JSON.stringify(env.result ?? null);
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(json),
          ...SECURITY_HEADERS,
        });
        res.end(json);
        return;
      }
      if (pathname === '/metrics' && opts.core.monitoring) {
        checkApi(req);
        if (req.method !== 'GET' && req.method !== 'HEAD')
          throw new AppError('NOT_FOUND', { path: `${req.method} ${pathname}`.slice(0, 200) });
        const text = renderMetrics({
          snapshot: await opts.core.monitoring.telemetry.metricsSnapshot(),
          requests: {
            chat: opts.core.requestCounts?.chat ?? 0,
            openai: proxyCount.total,
            openaiInFlight: proxyCount.inFlight,
          },
        });
        res.writeHead(200, {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'cache-control': 'no-store',
          ...SECURITY_HEADERS,
        });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
      if (openAi) {
        checkApi(req);
        const body = req.method === 'POST' ? await readBody(req, res, maxBody) : null;
        if (body) validateProxyBody(pathname, body);
        const endpoint = await routeOpenAi(pathname, req.method, body, {
          endpoint: opts.endpoint,
          jit: opts.core.jit,
          capabilities: opts.core.backend ? () => opts.core.backend!.capabilities() : undefined,
        });
        proxyToBackend(req, res, pathname, search, body, endpoint, proxyHooks);
        return;
      }
      if (
        (req.method === 'GET' || req.method === 'HEAD') &&
        opts.staticDir &&
        serveStatic(opts.staticDir, pathname, req, res, HTML_CSP)
      )
        return;
      throw new AppError('NOT_FOUND', { path: pathname.slice(0, 200) });
    } catch (e) {
      sendError(req, res, e, openAi);
    }
  }

  // Every request ends in an answer: the handler catches what it throws, and this catches the catcher.
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    onRequest(req, res).catch((e: unknown) => {
      report(e);
      res.destroy();
    });
  };
  const server: http.Server = lan ? https.createServer({ ...lan.tls }, handle) : http.createServer(handle);
  // See deferContinue: the 100 goes out only once a body is wanted, so a refused one is never sent.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    deferContinue(req);
    server.emit('request', req, res);
  });
  // Without a listener Node drops a CONNECT without a word; say no instead.
  server.on('connect', refuseConnect);

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxBody,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without its error listener: a client resetting now must not become an uncaught error.
    socket.on('error', () => undefined);
    try {
      const { pathname, authority } = parseRequestTarget(req.url, req.method);
      checkHead(req, authority);
      if (lan) checkOrigin(req.headers, guard);
      // No WebSocket (the contract) on the LAN listener.
      if (lan || pathname !== WS_PATH) throw new AppError('NOT_FOUND', { path: pathname.slice(0, 200) });
      checkToken(req.headers, token);
      const opened = token;
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, opened));
    } catch (e) {
      sendRawError(socket, e, req.headers['accept-language']);
    }
  });

  function onConnection(ws: WebSocket, openedWith: string) {
    const session = { token: openedWith, inFlight: 0 };
    sessions.set(ws, session);
    const send = (frame: WsServerFrame) => {
      if (ws.readyState !== ws.OPEN) return;
      // A client that stops reading must not make us buffer without bound.
      if (ws.bufferedAmount > 64 * 1024 * 1024) {
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    // A session whose token was replaced gets nothing more but the replies it waits for.
    const stale = () => session.token !== token;
    const subs = createSubscriptions(opts.core.bus, (event, payload) => {
      if (!stale()) send({ type: 'event', event, payload });
    });
    const onFrame = async (data: RawData) => {
      if (stale()) return;
      let frame: WsClientFrame;
      try {
        frame = WsClientFrame.parse(JSON.parse(String(data)));
      } catch {
        ws.close(1003, 'bad frame');
        return;
      }
      if (frame.type === 'call') {
        session.inFlight++;
        const env = await invokeToEnvelope(invoke, frame.method, frame.params, { transport: 'ws' }).finally(
          () => session.inFlight--,
        );
        try {
          send(
            env.ok
              ? { type: 'result', id: frame.id, ok: true, result: env.result }
              : { type: 'result', id: frame.id, ok: false, error: env.error },
          );
        } catch (e) {
          // A result that cannot be sent (not serialisable) is still an answer the caller waits for.
          send({ type: 'result', id: frame.id, ok: false, error: toErrorInfo(e) });
        }
        if (stale() && session.inFlight === 0) ws.close(TOKEN_CHANGED, 'token changed');
      } else if (frame.type === 'sub') subs.add(frame.event, frame.topic);
      else subs.remove(frame.event, frame.topic);
    };
    ws.on('message', (data) => {
      onFrame(data).catch((e: unknown) => {
        report(e);
        ws.close(1011, 'internal error');
      });
    });
    ws.on('close', () => {
      sessions.delete(ws);
      subs.clear();
    });
    ws.on('error', () => undefined);
  }

  await listen(server, opts.port ?? 0, host);
  // After listen, a server error (an accept failing for lack of file descriptors) is reported, not fatal.
  server.on('error', report);
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  guard.port = port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    port,
    url: `${lan ? 'https' : 'http'}://${urlHost}:${port}`,
    setToken(next: string) {
      token = next;
      for (const [ws, s] of sessions)
        if (s.token !== next && s.inFlight === 0) ws.close(TOKEN_CHANGED, 'token changed');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
