/**
 * What llama-quantize's output means (pure): per-tensor progress lines and why a run failed. Formats from
 * src/llama-quant.cpp and tools/quantize/quantize.cpp at the pin.
 */
import { AppError } from '../../../shared/errors';

/**
 * `[  12/ 291]                  blk.0.attn_k.weight - [  256,   128,     1,     1], type =    f16, converting to q4_K .. size = …`
 * The line ends (newline) once that tensor is written, so seeing it means `done` tensors are done.
 */
const PROGRESS = /^\[\s*(\d{1,7})\s*\/\s*(\d{1,7})\]/;

export function quantizeProgress(line: string): { done: number; total: number } | null {
  const m = PROGRESS.exec(line);
  if (!m) return null;
  const done = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1 || done > total) return null;
  return { done, total };
}

const clip = (s: string) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 297)}…` : t;
};

/**
 * Why a llama-quantize run failed, from the last lines of its output and how it ended:
 * - "this quantization requires an imatrix!" / "Missing importance matrix for tensor …" → QUANT_NEEDS_IMATRIX;
 * - "requantizing from type q4_K is disabled" → QUANT_REQUANTIZE {from: Q4_K};
 * - otherwise QUANT_FAILED with one line: the tool's "failed to quantize: …" reason, or its last error line, or how
 *   it ended (exit code / signal).
 */
export function quantizeFailure(
  type: string,
  tail: string[],
  end: { code: number | null; signal: string | null },
): AppError {
  const text = tail.join('\n');
  const details = text.slice(-4000);
  if (/requires an (imatrix|importance matrix)|Missing importance matrix/i.test(text)) {
    return new AppError('QUANT_NEEDS_IMATRIX', { type }, details);
  }
  const rq = /requantizing from type (\S+) is disabled/i.exec(text);
  if (rq) return new AppError('QUANT_REQUANTIZE', { from: rq[1]!.toUpperCase(), type }, details);
  return new AppError('QUANT_FAILED', { type, reason: failureReason('llama-quantize', tail, end) }, details);
}

/** One line saying why a llama.cpp tool failed: its own reason when it printed one, else how it ended. */
export function failureReason(
  tool: string,
  tail: string[],
  end: { code: number | null; signal: string | null },
): string {
  // common_log's prefix in llama-imatrix / llama-perplexity: "0.03.221.139 E " (time, level).
  const lines = tail.map((l) => l.trim().replace(/^\d+\.\d+\.\d+\.\d+ [A-Z] /, '')).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /failed to quantize: (.+)$/.exec(lines[i]!);
    if (!m) continue;
    const why = m[1]!.replace(/^(?:[a-z_]+: )+/i, '');
    // "failed to load model from X" says nothing; gguf's own line before it says why ("invalid magic characters").
    if (/failed to load model/i.test(why)) {
      const gguf = lines
        .slice(0, i)
        .reverse()
        .find((l) => /^gguf_[a-z_]+: /.test(l));
      if (gguf) return clip(`not a usable GGUF model (${gguf.replace(/^gguf_[a-z_]+: /, '')})`);
    }
    return clip(why);
  }
  const patterns = [
    /\berror\b/i,
    /invalid (ftype|nthread|magic)/i,
    /failed to (open|load|read|write|init|eval)/i,
    /you need at least \d+ tokens/i,
    /no such file/i,
    /bad arguments/i,
  ];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (patterns.some((p) => p.test(line))) return clip(line.replace(/^[a-z_]+:\s*/i, ''));
  }
  if (end.signal) return `${tool} was stopped (${end.signal})`;
  return `${tool} exited with code ${end.code ?? 'unknown'}`;
}
