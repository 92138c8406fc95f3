/**
 * Parsers for the HTTP headers the hubs and the downloader read: Retry-After, Link (listing pages), Content-Range
 * (Range replies) and hash ETags. Whatever a server sends is hostile input: anything malformed gives null, never a
 * throw or a guess. Table-tested in http-headers.test.ts; no I/O here.
 */

/**
 * Retry-After as milliseconds from `now`: delta-seconds ("120") or an HTTP date. Null when absent or unreadable.
 * Dates in the past give 0; negative or fractional seconds are not valid delta-seconds and give null.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+$/.test(v)) {
    const s = Number(v);
    return Number.isSafeInteger(s) ? s * 1000 : null;
  }
  // An HTTP date needs letters (a weekday or month); this keeps "1.5" or "-3" from parsing as a date.
  if (!/[a-z]/i.test(v)) return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - now);
}

/** `<url>; rel="next", <url2>; rel="prev"` → { next: url, prev: url2 }, URLs resolved against `base`. */
export function parseLinkHeader(header: string | null | undefined, base?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  // Split on commas that start a new <…> entry (URLs may themselves contain commas).
  for (const part of header.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>\s*((?:;\s*[^;]+)*)$/.exec(part);
    if (!m) continue;
    const url = m[1] ?? '';
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params)?.[1];
    if (!rel) continue;
    let resolved: string;
    try {
      resolved = base ? new URL(url, base).toString() : url;
    } catch {
      continue;
    }
    for (const r of rel.trim().split(/\s+/)) if (!(r.toLowerCase() in out)) out[r.toLowerCase()] = resolved;
  }
  return out;
}

export interface ContentRange {
  start: number;
  end: number;
  /** Null for "*" (unknown). */
  total: number | null;
}

/** `bytes 0-99/1000` → {start 0, end 99 (inclusive), total 1000}; null when malformed or inconsistent. */
export function parseContentRange(value: string | null | undefined): ContentRange | null {
  if (!value) return null;
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value);
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? null : Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return null;
  if (total !== null && (!Number.isSafeInteger(total) || end >= total)) return null;
  return { start, end, total };
}

/** An ETag or X-Linked-Etag as a bare lowercase sha256, or null when it is something else (md5, git sha1, xet hash …). */
export function sha256FromEtag(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(v) ? v : null;
}
