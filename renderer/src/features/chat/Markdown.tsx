import { memo, useMemo } from 'react';
import { splitBlocks } from './markdown/blocks';
import { MarkdownBlock } from './markdown/MarkdownBlock';
import { normalizeMath } from './math';

/**
 * Model output as Markdown, one memoized component per top-level block (markdown/blocks.ts): while a reply streams,
 * only its last block, the one growing, is parsed and rendered again. Raw HTML in the text is dropped, never rendered.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => splitBlocks(normalizeMath(text)), [text]);
  return (
    <div className="markdown">
      {blocks.map((block, i) => (
        // By position: a finished block keeps its place and its text, so memo skips it.
        <MarkdownBlock key={i} text={block} />
      ))}
    </div>
  );
});
