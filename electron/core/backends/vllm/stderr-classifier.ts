/**
 * Pure: vLLM's output tail + exit → a typed reason. vLLM is Python: the reason is the exception at the end of a
 * traceback (often in the EngineCore process, followed by the API server's "Engine core initialization failed"),
 * so the most specific known line anywhere in the tail wins over the last line. Texts: scripts/fake-vllm/SOURCES.md.
 */
import { AppError, type ErrorCode } from '../../../shared/errors';
import { splitVllmLine } from './log-line';

export type VllmFailure =
  | 'oom'
  | 'unsupported-quantization'
  | 'unsupported-architecture'
  | 'no-gpu'
  | 'port-in-use'
  | 'python-import'
  | 'bad-arguments'
  | 'other';

export interface VllmClassified {
  reason: VllmFailure;
  /** The line that explains it (prefix stripped), or how it ended. */
  detail: string;
  /** unsupported-architecture: the architecture names; unsupported-quantization: the method, when named. */
  subject?: string;
}

const RULES: { reason: VllmFailure; re: RegExp; subject?: (m: RegExpExecArray) => string | undefined }[] = [
  {
    reason: 'oom',
    re: /torch\.(?:cuda\.)?OutOfMemoryError|CUDA out of memory|CUDA error: out of memory|No available memory for the cache blocks|larger than the available KV cache memory/i,
  },
  {
    reason: 'no-gpu',
    re: /No CUDA GPUs are available|Found no NVIDIA driver on your system|Failed to infer device type|CUDA driver initialization failed/i,
  },
  {
    reason: 'unsupported-quantization',
    re: /Unknown quantization method: ?([\w-]*)|quantization method ([\w-]+) is not supported for the current GPU|Quantization method specified in the model config \(([\w-]+)\) does not match|argument --quantization(?:\/-q)?: invalid choice: '([^']*)'/i,
    subject: (m) => m[1] || m[2] || m[3] || m[4] || undefined,
  },
  {
    reason: 'unsupported-architecture',
    re: /Model architectures? \[([^\]]*)\] (?:are|is) not supported|Model architectures \[([^\]]*)\] failed to be inspected/i,
    subject: (m) => (m[1] ?? m[2] ?? '').replace(/'/g, '').trim() || undefined,
  },
  {
    reason: 'port-in-use',
    re: /\[Errno (?:98|48|10048)\] (?:Address already in use|error while attempting to bind)|address already in use/i,
  },
  { reason: 'bad-arguments', re: /^vllm(?: serve)?: error: .+/ },
  {
    reason: 'python-import',
    re: /^(?:ModuleNotFoundError|ImportError): .+|cannot open shared object file|undefined symbol: /,
  },
];

/** Python's last exception line, if any (`Error: …` / `Exception: …` at the start of a message). */
const EXCEPTION = /^(?:[\w.]+(?:Error|Exception|Interrupt)|KeyError|OSError)\b.*/;

export function classifyVllmExit(
  rawLines: readonly string[],
  exit: { code: number | null; signal: string | null },
): VllmClassified {
  const msgs = rawLines.map((l) => splitVllmLine(l).msg.trim()).filter(Boolean);
  for (const rule of RULES) {
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = rule.re.exec(msgs[i]!);
      if (m) {
        const subject = rule.subject?.(m);
        return { reason: rule.reason, detail: msgs[i]!.slice(0, 500), ...(subject ? { subject } : {}) };
      }
    }
  }
  // Prefer the root cause over the API server's generic wrap-up line.
  const exceptions = msgs.filter((m) => EXCEPTION.test(m));
  const root = exceptions.find((m) => !/Engine core initialization failed/.test(m)) ?? exceptions.at(-1);
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  return { reason: 'other', detail: root ? `${how}: ${root.slice(0, 500)}` : how };
}

/**
 * The classified reason → its error code: vLLM's own (no GPU, unsupported quantization or architecture, a broken
 * Python environment), the shared ones for out of memory and a taken port, and the generic load/exit codes for the
 * rest (an argparse error is a command line we built wrong: MODEL_LOAD_FAILED with the usage line as the reason).
 */
export function vllmErrorCode(c: VllmClassified, phase: 'loading' | 'running', signal: string | null): ErrorCode {
  switch (c.reason) {
    case 'oom':
      return 'BACKEND_OOM';
    case 'port-in-use':
      return 'BACKEND_PORT_IN_USE';
    case 'no-gpu':
      return 'VLLM_NO_GPU';
    case 'unsupported-quantization':
      return 'VLLM_UNSUPPORTED_QUANT';
    case 'unsupported-architecture':
      return 'VLLM_UNSUPPORTED_ARCH';
    case 'python-import':
      return 'VLLM_PYTHON_ENV';
    case 'bad-arguments':
      return 'MODEL_LOAD_FAILED';
    default:
      if (signal && signal !== 'SIGTERM' && signal !== 'SIGINT') return 'BACKEND_CRASHED';
      return phase === 'loading' ? 'MODEL_LOAD_FAILED' : 'BACKEND_EXITED';
  }
}

/** The message parameters of each code ({{reason}}, {{method}}, {{arch}}, {{path}}: error-messages.ts). */
export function vllmExitError(
  c: VllmClassified,
  phase: 'loading' | 'running',
  signal: string | null,
  model: string,
  tail: readonly string[],
): AppError {
  const code = vllmErrorCode(c, phase, signal);
  const params: Record<string, string> = { reason: c.detail, path: model };
  if (code === 'VLLM_UNSUPPORTED_QUANT') params.method = c.subject ?? 'unknown';
  if (code === 'VLLM_UNSUPPORTED_ARCH') params.arch = c.subject ?? 'unknown';
  return new AppError(code, params, tail.slice(-60).join('\n'));
}
