/**
 * Pure helpers for talking to hubs over flaky links: Retry-After, backoff, the Link header, Content-Range.
 * Table-tested in retry.test.ts; no I/O here.
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

/** Exponential backoff with full jitter: a random delay in [base·2^attempt / 2, base·2^attempt], capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(exp / 2 + (random() * exp) / 2);
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

/** Human size for messages: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${n < 0 ? '-' : ''}${i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
