/** Which library models the quantization buttons warn about. Pure, tested in provenance.test.ts. */

const HIGH_PRECISION = new Set(['F32', 'F16', 'BF16', 'Q8_0']);

/**
 * A known type below Q8_0: "Make a smaller version" is still offered (the dialog asks for "requantize anyway"), with
 * a warning. Unknown types (no header field) are not called low-bit: the plan decides.
 */
export function isLowBitType(quantization: string | null): boolean {
  if (!quantization) return false;
  return !HIGH_PRECISION.has(quantization.trim().toUpperCase());
}
