// Serves a file's bytes (HF CDN, small HF files, ModelScope downloads): Range requests, and the byte-level faults
// planned by faults.mjs (drop, truncate, stall, corrupt, short, rate) applied at exact offsets.
import fs from 'node:fs';
import { planDataResponse } from './faults.mjs';
import { sendStatusFault, sleep } from './http.mjs';
import { hex } from './repos.mjs';

/**
 * Answers a HEAD/GET for `file` given the 'data' faults that match it. `stats` gets the bytes sent; `log` the faults
 * that cut a response.
 */
export async function serveData(req, res, file, list, { extraHeaders = {}, stats, log }) {
  if (sendStatusFault(res, list)) return;
  const plan = planDataResponse(req.headers.range, file.size, list);
  if (plan.unsatisfiable) {
    res.writeHead(416, { 'content-range': `bytes */${file.size}` });
    res.end();
    return;
  }
  const { start, end, partial, active, rate } = plan;
  const headers = {
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
    'content-length': end - start + 1,
    // A CDN's ETag: an md5-looking string, deliberately not the sha256.
    etag: `"${hex(`cdn:${file.sha256}`, 32)}"`,
    'last-modified': 'Tue, 21 Jan 2025 00:00:00 GMT',
    ...extraHeaders,
  };
  if (partial) headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
  res.writeHead(partial ? 206 : 200, headers);
  if (req.method === 'HEAD') return res.end();
  const record = (n) => {
    stats.bytesServed += n;
    stats.bytesByFile[file.path] = (stats.bytesByFile[file.path] ?? 0) + n;
  };

  if (active.length === 0 && !rate) {
    if (file.buf) {
      record(end - start + 1);
      return res.end(file.buf.subarray(start, end + 1));
    }
    const stream = fs.createReadStream(file.abs, { start, end, highWaterMark: 1 << 20 });
    stream.on('data', (c) => record(c.length));
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
    return;
  }

  // Slow path: chunk by chunk, so faults land on exact offsets.
  let closed = false;
  res.on('close', () => (closed = true));
  const fh = file.abs ? await fs.promises.open(file.abs, 'r') : null;
  const t0 = performance.now();
  let sent = 0;
  try {
    const chunkSize = rate ? Math.max(1024, Math.min(64 * 1024, Math.floor(rate.bytesPerSecond / 20))) : 256 * 1024;
    for (let pos = start; pos <= end && !closed;) {
      let n = Math.min(chunkSize, end + 1 - pos);
      const cut = active.find(
        (f) => ['drop', 'truncate', 'stall'].includes(f.kind) && f.at >= pos && f.at < pos + n && !f.done,
      );
      if (cut) n = cut.at - pos;
      if (n > 0) {
        let chunk;
        if (fh) {
          chunk = Buffer.allocUnsafe(n);
          await fh.read(chunk, 0, n, pos);
        } else chunk = Buffer.from(file.buf.subarray(pos, pos + n));
        for (const f of active.filter((x) => x.kind === 'corrupt')) {
          const a = Math.max(f.at, pos);
          const b = Math.min(f.at + (f.length ?? 1), pos + n);
          for (let i = a; i < b; i++) chunk[i - pos] ^= 0xff;
        }
        // (A response closed meanwhile never drains: waiting for it would leak the file handle.)
        if (!res.write(chunk) && !closed && !res.destroyed) {
          await new Promise((r) => {
            const done = () => {
              res.off('drain', done);
              res.off('close', done);
              r();
            };
            res.on('drain', done);
            res.on('close', done);
          });
        }
        record(n);
        pos += n;
        sent += n;
        if (rate) {
          const due = (sent / rate.bytesPerSecond) * 1000 - (performance.now() - t0);
          if (due > 0) await sleep(due);
        }
      }
      if (cut) {
        if (cut.kind === 'drop') {
          log(`fault: drop at ${cut.at}`);
          if (res.socket?.resetAndDestroy) res.socket.resetAndDestroy();
          else res.destroy();
          return;
        }
        if (cut.kind === 'truncate') {
          log(`fault: truncate at ${cut.at}`);
          // Flush what was written, then close: the body is shorter than its Content-Length.
          await new Promise((r) => (res.socket ? res.socket.end(r) : r()));
          res.destroy();
          return;
        }
        log(`fault: stall at ${cut.at}`);
        const until = performance.now() + (cut.ms ?? 600_000);
        while (!closed && performance.now() < until) await sleep(20);
        cut.done = true;
      }
    }
    if (!closed) res.end();
  } finally {
    await fh?.close();
  }
}
