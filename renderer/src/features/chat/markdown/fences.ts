/**
 * Fenced code (``` or ~~~) and display math ($$) as the Markdown parser sees them, line by line: what opens one and
 * what closes it. The block splitter (blocks.ts) and the LaTeX delimiter conversion (../math.ts) share them, so both
 * agree on what is code and what is math.
 */

/** An open fence: its character and how many of them opened it (the closing run must be at least as long). */
export interface Fence {
  kind: 'code' | 'math';
  char: string;
  size: number;
}

const CODE_OPEN = /^[ \t]*(`{3,}|~{3,})(.*)$/;
const MATH_OPEN = /^[ \t]*(\${2,})(.*)$/;

/** The fence a line opens, or null. Any indentation counts: a fence in a list item is indented. */
export function fenceOpenedBy(line: string): Fence | null {
  const code = CODE_OPEN.exec(line);
  if (code) {
    const run = code[1]!;
    // A backtick fence's info string has no backtick (CommonMark); "```x```" is an inline code span.
    if (run[0] === '`' && code[2]!.includes('`')) return null;
    return { kind: 'code', char: run[0]!, size: run.length };
  }
  const math = MATH_OPEN.exec(line);
  // "$$x$$" on one line is inline math, not a fence (micromark-extension-math refuses a `$` in the meta).
  if (math && !math[2]!.includes('$')) return { kind: 'math', char: '$', size: math[1]!.length };
  return null;
}

/** Whether the line closes `fence`: a run of its character at least as long, and nothing else but spaces. */
export function closesFence(line: string, fence: Fence): boolean {
  const t = line.trim();
  if (t.length < fence.size) return false;
  for (const c of t) if (c !== fence.char) return false;
  return true;
}
