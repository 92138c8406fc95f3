import { memo, useMemo } from 'react';
import { splitBlocks } from './markdown/blocks';
import { lazyResource, useLazy } from './markdown/lazy';
import { normalizeMath } from './math';

/**
 * The Markdown parser and renderer (react-markdown, remark, micromark: about a third of the first page's code) are
 * fetched when the first message is shown, not with the page. Until they arrive (a few milliseconds on the loopback
 * server) a block shows as its plain text.
 */
export const markdownRenderer = lazyResource(() => import('./markdown/MarkdownBlock').then((m) => m.MarkdownBlock));

/**
 * Model output as Markdown, one memoized component per top-level block (markdown/blocks.ts): while a reply streams,
 * only its last block, the one growing, is parsed and rendered again. Raw HTML in the text is dropped, never rendered.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => splitBlocks(normalizeMath(text)), [text]);
  const Block = useLazy(markdownRenderer, true);
  return (
    <div className="markdown">
      {blocks.map((block, i) =>
        // By position: a finished block keeps its place and its text, so memo skips it.
        Block ? (
          <Block key={i} text={block} />
        ) : (
          <p key={i} style={{ whiteSpace: 'pre-wrap' }}>
            {block}
          </p>
        ),
      )}
    </div>
  );
});
