/**
 * Splits Markdown into its top-level blocks, so a streaming reply re-renders only the block still growing: every
 * block but the last is finished (text after it has begun a new block) and renders once.
 *
 * A split is made only where rendering the parts one by one gives what rendering the whole would: at a blank line
 * outside fenced code and $$ math, when the next line starts at the margin and does not continue a list of the
 * block before (a loose list stays one list, an indented line continues its list item or code). An unclosed fence
 * keeps everything after it in the last block, and so does a last line that may yet become a list item: a finished
 * block never changes as the text grows. Text with link reference or footnote definitions (which reach
 * across blocks) is not split at all.
 */
import { closesFence, fenceOpenedBy, type Fence } from './fences';

const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
/** The end of the text so far, which may still become a list item ("2" before its "."). */
const ITEM_SO_FAR = /^ {0,3}(?:[-*+]|\d{1,9}[.)]?)$/;
const DEFINITION = /^ {0,3}\[[^\]\n]+\]:/m;
const isBlank = (line: string) => line.trim() === '';
const isIndented = (line: string) => line[0] === ' ' || line[0] === '\t';

export function splitBlocks(text: string): string[] {
  if (DEFINITION.test(text)) return [text];
  const lines = text.split('\n');
  const blocks: string[] = [];
  let start = 0; // first line of the current block
  let lastContent = -1; // last non-blank line of the current block
  let fence: Fence | null = null;
  let inList = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      lastContent = i;
      continue;
    }
    if (isBlank(line)) continue;
    const afterBlank = lastContent >= start && lastContent < i - 1;
    const listItem = LIST_ITEM.test(line) || (i === lines.length - 1 && ITEM_SO_FAR.test(line));
    if (afterBlank && !isIndented(line) && !(inList && listItem)) {
      blocks.push(lines.slice(start, lastContent + 1).join('\n'));
      start = i;
      inList = false;
    }
    if (listItem) inList = true;
    fence = fenceOpenedBy(line);
    lastContent = i;
  }
  const tail = lines.slice(start).join('\n');
  if (tail || blocks.length === 0) blocks.push(tail);
  return blocks;
}
