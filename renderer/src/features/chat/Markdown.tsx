import { memo, useState, type ComponentProps } from 'react';
import { useTranslation } from 'react-i18next';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeKatex from 'rehype-katex';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { CheckIcon, CopyIcon } from '../../components/icons';
import { copyText } from '../../lib/clipboard';
import { normalizeMath } from './math';

type HastNode = { type: string; value?: string; children?: HastNode[]; properties?: Record<string, unknown> };

const textOf = (n: HastNode | undefined): string =>
  !n ? '' : n.type === 'text' ? (n.value ?? '') : (n.children ?? []).map(textOf).join('');

function languageOf(n: HastNode | undefined): string | null {
  const code = n?.children?.find((c) => c.type === 'element');
  const cls = code?.properties?.className;
  const list = Array.isArray(cls) ? cls : [];
  for (const c of list) if (typeof c === 'string' && c.startsWith('language-')) return c.slice('language-'.length);
  return null;
}

function CodeBlock({ node, children, ...rest }: ComponentProps<'pre'> & { node?: unknown }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const hast = node as HastNode | undefined;
  const lang = languageOf(hast);
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{lang ?? t('chat.code')}</span>
        <button
          type="button"
          className="icon-btn"
          title={t('common.copy')}
          aria-label={t('common.copy')}
          onClick={() => {
            void copyText(textOf(hast).replace(/\n$/, '')).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
        </button>
      </div>
      <pre {...rest}>{children}</pre>
    </div>
  );
}

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

const remarkPlugins = [remarkGfm, remarkMath];
const rehypePlugins = [rehypeKatex, [rehypeHighlight, { detect: false }]] as ComponentProps<
  typeof ReactMarkdown
>['rehypePlugins'];

/** Model output as markdown. Raw HTML in the text is dropped, never rendered. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {normalizeMath(text)}
      </ReactMarkdown>
    </div>
  );
});
