/** A little HTTP/1.1 for test clients on raw sockets (hostile-requests, the transport fuzz). */

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
