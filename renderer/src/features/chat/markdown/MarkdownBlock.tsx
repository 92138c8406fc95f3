import { memo, useMemo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { REMARK_MATH_OPTIONS } from '../math';
import { CodeBlock } from './CodeBlock';
import { useLazy } from './lazy';
import { highlight, katex, needsHighlight, needsMath } from './plugins';
import type { PluggableList } from './plugins-type';

const components: Components = {
  // Links leave the app: a new window, which Electron hands to the system browser; no referrer.
  a: ({ node: _node, href, children, ...rest }) => (
    <a {...rest} href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
  // Remote images are blocked by the CSP and would be a tracking beacon anyway: show them as links.
  img: ({ src, alt }) =>
    typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noreferrer noopener">
        {alt || src}
      </a>
    ) : null,
  pre: CodeBlock,
  table: ({ node: _node, ...rest }) => (
    <div className="table-wrap">
      <table {...rest} />
    </div>
  ),
};

const remarkPlugins: PluggableList = [remarkGfm, [remarkMath, REMARK_MATH_OPTIONS]];
const none: PluggableList = [];

export interface MarkdownBlockProps {
  text: string;
  /** Rehype plugins to use as they are (tests render math synchronously); default: loaded when the text needs them. */
  rehypePlugins?: PluggableList;
}

/** Markdown without lazy plugins: one block, parsed and rendered; raw HTML in the text is dropped, never rendered. */
export function MarkdownView({ text, rehypePlugins = none }: MarkdownBlockProps) {
  return (
    <ReactMarkdown skipHtml remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
      {text}
    </ReactMarkdown>
  );
}

/**
 * One top-level block of a message. Memoized on its text: while a reply streams, finished blocks keep their text and
 * are not parsed again. Math and code highlighting arrive when first needed and re-render only the blocks that need
 * them.
 */
export const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  const math = useLazy(katex, needsMath(text));
  const code = useLazy(highlight, needsHighlight(text));
  const plugins = useMemo(() => [...(math ?? none), ...(code ?? none)], [math, code]);
  return <MarkdownView text={text} rehypePlugins={plugins} />;
});
