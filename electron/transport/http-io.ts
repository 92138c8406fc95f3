/** Reading request bodies and writing error answers (JSON with a code) for the HTTP transport. */
import type http from 'node:http';
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

/** After a refused upgrade or CONNECT: how long we wait for the client to close before closing ourselves. */
export const LINGER_MS = 2000;

/** The whole body, up to `limit` bytes; over it, PAYLOAD_TOO_LARGE. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new AppError('PAYLOAD_TOO_LARGE'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function errorBody(info: ErrorInfo, acceptLanguage: string | undefined, openAiShape: boolean): string {
  const message = formatError(pickLang(acceptLanguage), info.code, info.params);
  const error = openAiShape ? { code: info.code, message, type: 'deeplocal_error', details: info.details } : { ...info, message };
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
  res.writeHead(httpStatus(info.code), {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...SECURITY_HEADERS,
  });
  res.end(json);
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
