/** A little HTTP/1.1 for test clients on raw sockets (hostile-requests, the transport and Ollama fuzz tests). */
import net from 'node:net';

/**
 * Whether `text` holds a whole final answer (after any 100 Continue): headers, then the body its framing announces
 * (none for HEAD, 1xx, 204, 304; Content-Length; chunked up to the last chunk). Without framing, only the close
 * ends it. Enough HTTP for a test client that must know when to stop waiting.
 */
export function responseComplete(text: string, method: string): boolean {
  let rest = text;
  while (/^HTTP\/1\.1 100 /.test(rest)) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return false;
    rest = rest.slice(end + 4);
  }
  const end = rest.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = rest.slice(0, end).toLowerCase();
  const body = rest.slice(end + 4);
  const status = Number(head.slice(9, 12));
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return true;
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) return body.length >= Number(length[1]);
  if (/\r\ntransfer-encoding: *chunked/.test(head)) return /(^|\r\n)0\r\n\r\n$/.test(body);
  return false;
}

/** What a raw exchange got back: the bytes (as latin1) and whether the client gave up waiting for them. */
export interface RawAnswer {
  text: string;
  hung: boolean;
}

/**
 * Writes `parts` (latin1 strings, one write each) on a fresh socket to 127.0.0.1:`port` and collects the answer
 * until it is whole (responseComplete; the server may keep the connection open), the server closes, or
 * `timeoutMs` passes (hung). `end` half-closes after writing: only the end of input completes a request whose
 * bytes stop early; a complete one waits for its answer as a real client does.
 */
export function rawExchange(
  port: number,
  parts: readonly string[],
  opts: { method: string; end: boolean; timeoutMs?: number },
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      s.destroy();
    }, opts.timeoutMs ?? 5000);
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (responseComplete(Buffer.concat(chunks).toString('latin1'), opts.method)) s.destroy();
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), hung });
    });
    s.on('connect', () => {
      for (const part of parts) s.write(Buffer.from(part, 'latin1'));
      if (opts.end) s.end();
    });
  });
}

/** The final status of an answer (the one after any 100 Continue); null when `text` is no HTTP/1.1 answer. */
export function finalStatus(text: string): number | null {
  if (!/^HTTP\/1\.1 \d{3} /.test(text)) return null;
  return [...text.matchAll(/(?:^|\r\n)HTTP\/1\.1 (\d{3}) /g)].map((x) => Number(x[1])).find((n) => n !== 100) ?? 100;
}
