// Fault injection decisions for the hub emulator (the fault kinds are listed in server.mjs): which faults a
// response matches, what each firing consumes, and the byte range a data response will actually send. No I/O here;
// serve-data.mjs carries the plan out on the socket.

/** A fault's remaining `times`: 'rate' applies to every response by default, the others fire once. */
const timesLeft = (f) => f.times ?? (f.kind === 'rate' ? Infinity : 1);

/** Faults for this request (stage 'data' | 'resolve' | 'api'), among those not yet used up. */
export function matchingFaults(faults, stage, hub, file) {
  return faults.filter(
    (f) =>
      (f.stage ?? 'data') === stage &&
      (!f.hub || f.hub === hub) &&
      (!f.file || f.file === file.path || f.file === file.sha256 || file.path.endsWith(f.file)) &&
      timesLeft(f) > 0,
  );
}

/** Records that a fault fired: one fewer `times`, one more `fired`. */
export function consumeFault(f) {
  f.times = timesLeft(f) - 1;
  f.fired = (f.fired ?? 0) + 1;
}

/** A Range header against a file size: null (no header), 'invalid', 'unsatisfiable' or { start, end } inclusive. */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start;
  let end;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Plans a data response from its Range header and the matching faults (consuming those that fire):
 * { unsatisfiable: true } for a 416, else { start, end, partial (a 206), active (byte faults at exact offsets), rate }.
 */
export function planDataResponse(rangeHeader, size, list) {
  const range = parseRange(rangeHeader, size);
  if (range === 'invalid' || range === 'unsatisfiable') return { unsatisfiable: true };
  let { start, end } = range ?? { start: 0, end: size - 1 };
  const inRange = (f) => f.at === undefined || (f.at >= start && f.at <= end);
  const short = list.find((f) => f.kind === 'short' && inRange(f) && f.at > start);
  if (short) {
    consumeFault(short);
    end = short.at - 1;
  }
  // Per-response copies: a fault without `at` fires at the first byte of this response.
  const active = list
    .filter((f) => ['drop', 'truncate', 'stall', 'corrupt'].includes(f.kind) && inRange(f))
    .map((f) => ({ ...f, at: f.at ?? start, orig: f }));
  for (const f of active) consumeFault(f.orig);
  const rate = list.find((f) => f.kind === 'rate');
  if (rate) consumeFault(rate);
  return { start, end, partial: Boolean(range || short), active, rate };
}
