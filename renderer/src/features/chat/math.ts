/**
 * Math in model output. A single `$` is text (prices: "$1,599 … $199"), so remark-math runs with
 * singleDollarTextMath off and math is `$$…$$` (inline within a line, display on lines of its own), `\(…\)` (inline)
 * or `\[…\]` (display). remark-math knows only dollars: normalizeMath turns the LaTeX delimiters DeepSeek writes
 * into them. Fenced code, inline code spans and $$ blocks are left alone.
 */
import { closesFence, fenceOpenedBy, type Fence } from './markdown/fences';

/** remark-math's options: `$…$` is not math. */
export const REMARK_MATH_OPTIONS = { singleDollarTextMath: false } as const;

const LIST_MARKER = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+/;

/** The indentation that keeps a display block inside the list item (or indented block) its `\[` stands in. */
function indentAt(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const line = text.slice(lineStart, at);
  const marker = LIST_MARKER.exec(line);
  if (marker) return ' '.repeat(marker[0].length);
  return /^[ \t]*/.exec(line)![0];
}

function convert(prose: string): string {
  return prose
    .replace(/\\\[([\s\S]+?)\\\]/g, (_, m: string, at: number) => {
      const indent = indentAt(prose, at);
      const body = m
        .trim()
        .split('\n')
        .map((l) => indent + l.trim())
        .join('\n');
      const atLineStart = /(^|\n)[ \t]*$/.test(prose.slice(0, at));
      // At a line's start the indentation is there already.
      return `${atLineStart ? '' : `\n${indent}`}$$\n${body}\n${indent}$$\n`;
    })
    .replace(/\\\(([\s\S]+?)\\\)/g, (_, m: string) => `$$${m}$$`);
}

/** Splits text into runs that are prose (odd = false) and runs that are code or $$ math (left as they are). */
function segments(text: string): Array<{ text: string; verbatim: boolean }> {
  const out: Array<{ text: string; verbatim: boolean }> = [];
  const push = (t: string, verbatim: boolean) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last && last.verbatim === verbatim) last.text += t;
    else out.push({ text: t, verbatim });
  };
  let fence: Fence | null = null;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const nl = i < lines.length - 1 ? '\n' : '';
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      push(line + nl, true);
      return;
    }
    fence = fenceOpenedBy(line);
    if (fence) {
      push(line + nl, true);
      return;
    }
    // Inline code spans (a run of backticks to the next run as long) and inline $$ math stay as they are.
    const re = /(`+)[\s\S]*?[^`]\1(?!`)|\$\$[\s\S]+?\$\$/g;
    let pos = 0;
    for (const m of line.matchAll(re)) {
      push(line.slice(pos, m.index), false);
      push(m[0], true);
      pos = m.index + m[0].length;
    }
    push(line.slice(pos) + nl, false);
  });
  return out;
}

export function normalizeMath(text: string): string {
  if (!text.includes('\\(') && !text.includes('\\[')) return text;
  return segments(text)
    .map((s) => (s.verbatim ? s.text : convert(s.text)))
    .join('');
}
