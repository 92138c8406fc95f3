import { useState, type ComponentProps } from 'react';
import { useTranslation } from 'react-i18next';
import { CheckIcon, CopyIcon } from '../../../components/icons';
import { copyText } from '../../../lib/clipboard';

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

/** A fenced code block: its language and a Copy button over the code. */
export function CodeBlock({ node, children, ...rest }: ComponentProps<'pre'> & { node?: unknown }) {
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
