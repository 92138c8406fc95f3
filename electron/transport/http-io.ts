/**
 * Reading request bodies and writing error answers for the HTTP transport. The rule both follow: a client always
 * gets an answer it can read, never a TCP reset. (Closing a socket whose input was not read makes the kernel send
 * RST, and a client still sending its body then reports "connection reset" instead of our 413.)
 */
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError, formatError, httpStatus, pickLang, toErrorInfo, type ErrorInfo } from '../shared/errors';

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The token is in the page URL at first load; never send it to anyone in a Referer.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** After refusing a body: how long, and how many more bytes, we read and discard before closing anyway. */
export const LINGER_MS = 2000;
export const LINGER_BYTES = 64 * 1024 * 1024;

/** Requests that sent `Expect: 100-continue` and have not been told to go on (see `readBody`). */
const awaitingContinue = new WeakSet<http.IncomingMessage>();

/**
 * For the server's 'checkContinue' event: without a listener Node answers 100 Continue before we have looked at the
 * request, so a client would send a body we then refuse. With it, the 100 goes out only when we read the body.
 */
export function deferContinue(req: http.IncomingMessage): void {
  awaitingContinue.add(req);
}

function refuseLength(value: string | undefined, limit: number): void {
  // Node's parser has already refused a Content-Length that is not a number; this one is too large to read.
  if (value !== undefined && Number(value) > limit) throw new AppError('PAYLOAD_TOO_LARGE');
}

/**
 * The whole body, up to `limit` bytes. Over the limit (declared or sent) it rejects with PAYLOAD_TOO_LARGE and
 * stops keeping the bytes, but leaves the socket alone: `sendError` answers, then drains and closes.
 */
export function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    refuseLength(req.headers['content-length'], limit);
    if (awaitingContinue.delete(req)) res.writeContinue();
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new AppError('PAYLOAD_TOO_LARGE'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // The client went away mid-body (or sent broken chunking): Node's parser answers it; nothing to send here.
    req.on('error', (e) => reject(new AppError('BAD_REQUEST', { reason: `body: ${e.message.slice(0, 100)}` })));
  });
}

export function errorBody(info: ErrorInfo, acceptLanguage: string | undefined, openAiShape: boolean): string {
  const message = formatError(pickLang(acceptLanguage), info.code, info.params);
  const error = openAiShape
    ? { code: info.code, message, type: 'deeplocal_error', details: info.details }
    : { ...info, message };
  return JSON.stringify({ error });
}

/** Answers an error as JSON with its code and HTTP status (a reply already under way is cut instead). */
export function sendError(req: http.IncomingMessage, res: http.ServerResponse, e: unknown, openAiShape = false): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const info = toErrorInfo(e);
  const json = errorBody(info, req.headers['accept-language'], openAiShape);
  const refusedBody = info.code === 'PAYLOAD_TOO_LARGE';
  res.writeHead(httpStatus(info.code), {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    // We will not read the rest of a refused body, so this connection cannot carry another request.
    ...(refusedBody ? { connection: 'close' } : {}),
    // BACKEND_QUEUE_FULL (a 503) says when to come back; OpenAI clients wait that long before retrying.
    ...(typeof info.params?.retryAfterS === 'number' ? { 'retry-after': String(info.params.retryAfterS) } : {}),
    ...SECURITY_HEADERS,
  });
  if (!refusedBody || req.complete) {
    res.end(json);
    return;
  }
  // The answer goes out now (a client reads it while it still sends); the socket closes once the client has
  // stopped sending or the bounds are reached, so it ends with FIN rather than RST.
  res.write(json);
  let discarded = 0;
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(finish, LINGER_MS);
  timer.unref();
  req.on('data', (c: Buffer) => {
    discarded += c.length;
    if (discarded > LINGER_BYTES) finish();
  });
  req.once('end', finish);
  req.once('close', finish);
  req.once('error', finish);
  // A client that asked for 100-continue and got this answer instead sends nothing more: no reason to wait.
  if (awaitingContinue.delete(req)) finish();
  req.resume();
}

/** Answers on a raw socket (upgrade, CONNECT), where no ServerResponse exists, then closes it. */
export function sendRawError(socket: Duplex, e: unknown, acceptLanguage: string | undefined): void {
  const info = toErrorInfo(e);
  const json = errorBody(info, acceptLanguage, false);
  const status = httpStatus(info.code);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${info.code}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\n` +
      `connection: close\r\n\r\n${json}`,
  );
  // Node hands this socket over paused: read (and drop) until the client closes, so the socket is freed then,
  // and give up after LINGER_MS on a client that never does.
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** Starts `server` listening; a taken port rejects with SERVER_PORT_IN_USE, any other listen error as it is. */
export function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new AppError('SERVER_PORT_IN_USE', { port }) : e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A CONNECT request's answer: 400, this is not a proxy (without a listener Node drops it without a word). */
export function refuseConnect(req: http.IncomingMessage, socket: Duplex): void {
  socket.on('error', () => undefined);
  sendRawError(
    socket,
    new AppError('BAD_REQUEST', { reason: 'CONNECT (this is not a proxy)' }),
    req.headers['accept-language'],
  );
}
