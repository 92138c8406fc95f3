/**
 * Pure: turns llama-server's output and exit into a typed reason. Like Ollama's status writer, it remembers the
 * lines that explain a failure; the raw tail is kept as details for bug reports.
 */
import { AppError, type ErrorCode } from '../../../shared/errors';

export interface Classified {
  code: ErrorCode;
  reason: string;
  /** The error's parameters when they are not {reason, path} (RPC_WORKER_LOST: {address, reason}). */
  params?: Record<string, string>;
}

/** RPC_WORKER_LOST's address when llama.cpp did not say which worker it lost (a reply cut mid-way). */
export const UNKNOWN_RPC_WORKER = '?';

/**
 * A llama.cpp RPC worker that is gone (ggml/src/ggml-rpc/ggml-rpc.cpp at de3ff81, every one a GGML_ABORT, so the
 * process ends on SIGABRT): at load "<file>:<line>: Failed to connect to host:port" (after "Cannot resolve host"
 * for a bad name) or "RPC handshake failed for host:port" (after "RPC server version mismatch"); mid-reply
 * "Remote RPC server crashed or returned malformed response" after "recv failed (…)" or "send failed (…)", which
 * name no worker.
 */
const RPC_CONNECT = /ggml-rpc\.cpp:\d+: (?:Failed to connect to|RPC handshake failed for) (\S+)/;
const RPC_CUT = /Remote RPC server crashed or returned malformed response/;
const RPC_DETAIL = /(?:recv|send) failed \(|RPC server version mismatch|Cannot resolve host/;

export function rpcWorkerLost(lines: readonly string[]): Classified | null {
  let address: string | null = null;
  let cut = false;
  let detail: string | null = null;
  for (const l of lines) {
    const m = RPC_CONNECT.exec(l);
    if (m) address = m[1]!;
    if (RPC_CUT.test(l)) cut = true;
    if (RPC_DETAIL.test(l)) detail = l.replace(/^[\d.]+ [A-Z] /, '').trim();
  }
  if (!address && !cut) return null;
  const reason = detail ?? (address ? 'connection failed' : 'Remote RPC server crashed or returned malformed response');
  return { code: 'RPC_WORKER_LOST', reason, params: { address: address ?? UNKNOWN_RPC_WORKER, reason } };
}

/** llama-server could not listen on its port (another program took it first): the one place this is recognized. */
const BIND_FAILED = /couldn't bind|failed to bind|address already in use|bind\(\) failed/i;

export function isBindFailure(line: string): boolean {
  return BIND_FAILED.test(line);
}

const KV_TOO_BIG = /pre-allocated tensor \(cache_[kv]_l\d+\) in a buffer \([^)]*\) that cannot run the operation/i;

const RULES: { re: RegExp; code: ErrorCode; reason?: (m: RegExpExecArray) => string }[] = [
  { re: /unknown model architecture: '([^']+)'/i, code: 'MODEL_UNSUPPORTED_ARCH' },
  {
    re: /cudaMalloc failed: out of memory|out of memory|failed to allocate buffer for kv cache|unable to allocate .*buffer|ErrorOutOfDeviceMemory|std::bad_alloc/i,
    code: 'BACKEND_OOM',
  },
  // A KV cache too big for the device: allocated, but beyond what the device can address, so the graph cannot run on
  // it and ggml aborts (captured: Vulkan on a 2048 MiB lavapipe device, 4 layers × 1M context = 2048 MiB of KV).
  { re: KV_TOO_BIG, code: 'BACKEND_OOM' },
  // The file vanished between inspect and spawn; other open failures (permissions) stay generic load failures.
  { re: /failed to open GGUF file .*\(No such file or directory\)/i, code: 'MODEL_NOT_FOUND' },
  { re: BIND_FAILED, code: 'BACKEND_PORT_IN_USE' },
  { re: /invalid magic|not a gguf|failed to read magic/i, code: 'MODEL_NOT_GGUF' },
  {
    re: /tensor '([^']+)' data is not within the file bounds|file is truncated|corrupted or incomplete/i,
    code: 'MODEL_TRUNCATED',
  },
  {
    re: /error loading model|failed to load model|llama_model_load: error|unable to load model/i,
    code: 'MODEL_LOAD_FAILED',
  },
];

/** Lines that explain a failure (what Ollama's status writer keeps), preferred over any other notable line. */
const PRIMARY =
  /CUDA error:|GGML_ASSERT|error loading model|out of memory|failed to allocate|couldn't bind|unknown model architecture|pre-allocated tensor/i;
/** Lines worth quoting to a user when no primary line exists. */
const NOTABLE = /error|failed|GGML_ASSERT|CUDA error|exception|abort|out of memory|unknown model architecture/i;
/** Backtrace frames (glibc backtrace_symbols_fd, gdb, the unwinder) name ggml_abort/ggml_cuda_error but explain nothing. */
const BACKTRACE = /^\s*(?:#\d+\s|\d+: 0x[0-9a-f]+|\S*\([^)]*\)\s*\[0x[0-9a-f]+\]\s*$)/i;

export function notableLine(lines: readonly string[]): string | null {
  for (const re of [PRIMARY, NOTABLE]) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (re.test(l) && !BACKTRACE.test(l)) return l.trim();
    }
  }
  return null;
}

export function classifyExit(
  lines: readonly string[],
  exit: { code: number | null; signal: string | null },
  phase: 'loading' | 'running',
): Classified {
  const rpc = rpcWorkerLost(lines);
  if (rpc) return rpc;
  const text = lines.join('\n');
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (m) {
      const reason = rule.code === 'MODEL_UNSUPPORTED_ARCH' ? (m[1] ?? 'unknown') : (notableLine(lines) ?? m[0]);
      return { code: rule.code, reason };
    }
  }
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  const line = notableLine(lines);
  if (exit.signal && exit.signal !== 'SIGTERM' && exit.signal !== 'SIGINT') {
    return { code: 'BACKEND_CRASHED', reason: line ? `${how}: ${line}` : how };
  }
  if (phase === 'loading') return { code: 'MODEL_LOAD_FAILED', reason: line ? `${how}: ${line}` : how };
  return { code: 'BACKEND_EXITED', reason: line ? `${how}: ${line}` : how };
}

export function classifiedToError(c: Classified, modelPath: string, tail: readonly string[]): AppError {
  const params: Record<string, string> =
    c.params ?? (c.code === 'MODEL_UNSUPPORTED_ARCH' ? { arch: c.reason } : { reason: c.reason, path: modelPath });
  return new AppError(c.code, params, tail.slice(-60).join('\n'));
}

const LISTEN_RE = /listening on (?:https?:\/\/)?([\d.]+|\[[0-9a-f:]+\]|[\w.-]+):(\d+)/i;
export function parseListening(line: string): { host: string; port: number } | null {
  const m = LISTEN_RE.exec(line);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}
