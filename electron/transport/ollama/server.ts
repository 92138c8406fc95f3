/**
 * The Ollama-compatible API (issue 13 §6) on its own loopback port (11434 by default, where Ollama clients look).
 * No key: Ollama has none and its clients send none; what keeps other sites out is the Host check (DNS rebinding,
 * as on our main port: security.ts) and Ollama's Origin allow-list (origins.ts), a foreign Origin getting 403.
 *   GET|HEAD /              "Ollama is running"
 *   GET  /api/version       {"version": …}
 *   GET  /api/tags          installed models (models library)
 *   POST /api/show          one model's details
 *   GET  /api/ps            the loaded model
 *   POST /api/chat          NDJSON stream (stream:false: one object)
 *   POST /api/generate      same, with a prompt
 *   /v1/*                   the OpenAI-compatible API, as Ollama serves it beside its own (no key here either)
 * Every request is answered and none can end the process: each handler catches, and the server's own callback
 * catches the catcher.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '../../shared/errors';
import type { LibraryModel } from '../../shared/models';
import type { BackendStatus } from '../../shared/schemas';
import type { JitLoader } from '../../core/api/jit';
import { findModel } from '../../core/api/model-names';
import { listen, readBody, refuseConnect, sendError, sendRawError } from '../http-io';
import { isProxyPath, proxyToBackend, routeOpenAi, validateProxyBody } from '../openai-proxy';
import type { BackendCapabilities, Endpoint } from '../../core/backends/backend';
import { parseRequestTarget } from '../request-target';
import { checkHost, checkSingleHost, LOOPBACK_HOSTS, type GuardConfig } from '../security';
import { sendOllamaError } from './errors';
import { loadable } from '../../core/api/jit-decide';
import { OLLAMA_COMPAT_VERSION, psOf, showOf, tagsOf } from './info';
import { originAllowed } from './origins';
import { reply } from './reply';
import { ShowRequest } from './translate';

export interface OllamaServerDeps {
  jit: JitLoader;
  status: () => BackendStatus;
  installed: () => Promise<LibraryModel[]>;
  /** Origins allowed besides Ollama's defaults (settings.api.ollamaOrigins); read on every request. */
  origins: () => readonly string[];
  note: (m: string) => void;
  /** The ready backend (for /v1/*); absent: /v1 is not served here. */
  endpoint?: () => Endpoint | null;
  capabilities?: () => BackendCapabilities | null;
  maxBodyBytes?: number;
  onInternalError?: (e: unknown) => void;
}

export interface OllamaServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const ROUTES: ReadonlyMap<string, readonly string[]> = new Map([
  ['/', ['GET', 'HEAD']],
  ['/api/version', ['GET', 'HEAD']],
  ['/api/tags', ['GET', 'HEAD']],
  ['/api/ps', ['GET', 'HEAD']],
  ['/api/show', ['POST']],
  ['/api/chat', ['POST']],
  ['/api/generate', ['POST']],
]);

/** Ollama endpoints that manage its own model store: nothing to do with a GGUF library. */
const NOT_OFFERED = new Set(['/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete', '/api/blobs']);

function sendJson(req: http.IncomingMessage, res: http.ServerResponse, value: unknown): void {
  const json = JSON.stringify(value);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(req.method === 'HEAD' ? undefined : json);
}

/** Starts listening; throws SERVER_PORT_IN_USE when the port is taken (the controller then picks another). */
export async function startOllamaServer(
  deps: OllamaServerDeps,
  opts: { host?: string; port: number },
): Promise<OllamaServer> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = deps.maxBodyBytes ?? 32 * 1024 * 1024;
  // Clients configured with Ollama's own "0.0.0.0:11434" send that Host; an IP literal cannot be rebound.
  const guard: GuardConfig = { port: 0, hosts: [...LOOPBACK_HOSTS, '0.0.0.0'] };
  const report = deps.onInternalError ?? ((e: unknown) => console.error('DeepLocal: Ollama API:', e));

  const cors = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (!originAllowed(origin, deps.origins()))
      throw new AppError('FORBIDDEN_ORIGIN', { origin: origin.slice(0, 200) });
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  };

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    let openAi = false;
    try {
      const { pathname, search, authority } = parseRequestTarget(req.url, req.method);
      checkSingleHost(req.rawHeaders);
      checkHost(req.headers, guard);
      if (authority !== null) checkHost({ host: authority }, guard);
      cors(req, res);
      const method = req.method ?? '';
      if (method === 'OPTIONS') {
        const asked = req.headers['access-control-request-headers'];
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, HEAD, OPTIONS',
          'access-control-allow-headers':
            typeof asked === 'string' && /^[\w\-, ]{0,500}$/.test(asked) ? asked : 'Authorization, Content-Type',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
      if (isProxyPath(pathname) && deps.endpoint) {
        openAi = true;
        const body = method === 'POST' ? await readBody(req, res, maxBody) : null;
        if (body) validateProxyBody(pathname, body);
        const endpoint = await routeOpenAi(pathname, method, body, {
          endpoint: deps.endpoint,
          jit: deps.jit,
          capabilities: deps.capabilities,
        });
        proxyToBackend(req, res, pathname, search, body, endpoint);
        return;
      }
      const methods = ROUTES.get(pathname);
      if (!methods) {
        if (NOT_OFFERED.has(pathname) || pathname.startsWith('/api/blobs/'))
          throw new AppError('UNSUPPORTED', { what: `${pathname} (DeepLocal manages models in its own library)` });
        throw new AppError('NOT_FOUND', { path: pathname.slice(0, 200) });
      }
      if (!methods.includes(method))
        throw new AppError('METHOD_NOT_ALLOWED', {
          path: pathname,
          method: method.slice(0, 20),
          allowed: methods.join(', '),
        });
      switch (pathname) {
        case '/':
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 17 });
          res.end(method === 'HEAD' ? undefined : 'Ollama is running');
          return;
        case '/api/version':
          return sendJson(req, res, { version: OLLAMA_COMPAT_VERSION });
        case '/api/tags':
          return sendJson(req, res, tagsOf(await deps.installed()));
        case '/api/ps':
          return sendJson(req, res, psOf(deps.status(), await deps.installed(), deps.jit.state().unloadAt));
      }
      const body = await readBody(req, res, maxBody);
      if (pathname === '/api/show') {
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          throw new AppError('BAD_JSON');
        }
        const r = ShowRequest.safeParse(json);
        const name = r.success ? (r.data.model ?? r.data.name ?? '') : '';
        if (!name.trim()) throw new AppError('INVALID_PARAMS', { issues: 'model is required' });
        const m = findModel(loadable(await deps.installed()), name);
        if (!m) throw new AppError('MODEL_NOT_INSTALLED', { model: name.slice(0, 200) });
        return sendJson(req, res, showOf(m));
      }
      await reply(pathname === '/api/chat' ? 'chat' : 'generate', req, res, body, { jit: deps.jit, note: deps.note });
    } catch (e) {
      // OpenAI clients read OpenAI's error shape; Ollama's read {"error": "<message>"}.
      if (openAi) sendError(req, res, e, true);
      else sendOllamaError(req, res, e);
    }
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      report(e);
      res.destroy();
    });
  });
  // Without listeners Node drops these without a word; say no instead (sendRawError also drains and frees the socket).
  server.on('connect', refuseConnect);
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    sendRawError(socket, new AppError('NOT_FOUND', { path: 'upgrade' }), req.headers['accept-language']);
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await listen(server, opts.port, host);
  server.on('error', report);
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  guard.port = port;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
