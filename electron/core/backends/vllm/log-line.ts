/**
 * Pure: one line of vLLM's output split into its parts. vLLM's logger writes
 *   `(APIServer pid=41) INFO 10-26 21:47:45 [default_loader.py:267] Loading weights took 1.27 seconds`
 * (the `(PROC pid=N)` prefix since 0.10, from decorate_logs; older releases print `INFO 03-21 20:19:24 [file.py:N] …`
 * or `INFO 10-10 10:22:58 api_server.py:526] …`). Tracebacks and uvicorn's `INFO:     …` lines carry the prefix too.
 * Colour codes (some terminals, `^[[0;36m`) are stripped first.
 */

export interface VllmLine {
  /** APIServer, EngineCore_DP0, ApiServer_2, … ; null when unprefixed. */
  proc: string | null;
  pid: number | null;
  /** INFO / WARNING / ERROR / DEBUG / CRITICAL for logger and uvicorn lines; null for tracebacks, progress bars. */
  level: string | null;
  /** `file.py:line` of a logger line. */
  source: string | null;
  /** The message without prefix, level, date and source. */
  msg: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m|\^\[\[[0-9;]*m/g;
const PREFIX = /^\((\w+) pid=(\d+)\)\s?/;
/** uvicorn's own format: `INFO:     Started server process [41]`. */
const UVICORN = /^(INFO|WARNING|ERROR):\s+/;
const LOGGER = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL) \d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \[?([\w.]+:\d+)\] ?/;

export function splitVllmLine(raw: string): VllmLine {
  let s = raw.replace(ANSI, '').replace(/\r$/, '');
  let proc: string | null = null;
  let pid: number | null = null;
  const p = PREFIX.exec(s);
  if (p) {
    proc = p[1]!;
    pid = Number(p[2]);
    s = s.slice(p[0].length);
  }
  const l = LOGGER.exec(s);
  if (l) return { proc, pid, level: l[1]!, source: l[2]!, msg: s.slice(l[0].length) };
  const u = UVICORN.exec(s);
  if (u) return { proc, pid, level: u[1]!, source: null, msg: s.slice(u[0].length) };
  return { proc, pid, level: null, source: null, msg: s };
}
