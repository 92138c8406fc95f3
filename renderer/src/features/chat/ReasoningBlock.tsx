import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDecimal } from '../../lib/format';
import { BrainIcon, ChevronIcon } from '../../components/icons';
import { Markdown } from './Markdown';

/** R1's thinking: open while the reply streams, folded away once it is done (the user can reopen it). */
export function ReasoningBlock({
  text,
  streaming,
  thinking,
  ms,
}: {
  text: string;
  streaming: boolean;
  thinking: boolean;
  ms: number | null;
}) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(streaming);
  // Follow the stream (open while it runs, fold when it ends) but leave the user's own toggles alone otherwise.
  const [wasStreaming, setWasStreaming] = useState(streaming);
  if (wasStreaming !== streaming) {
    setWasStreaming(streaming);
    setOpen(streaming);
  }
  const label = thinking
    ? t('chat.thinking')
    : ms !== null
      ? t('chat.thoughtFor', { s: formatDecimal(ms / 1000, i18n.resolvedLanguage ?? 'en') })
      : t('chat.thoughts');
  return (
    <details
      className={thinking ? 'reasoning active' : 'reasoning'}
      data-testid="reasoning-block"
      data-open={open}
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary>
        <BrainIcon size={15} />
        <span className={thinking ? 'shimmer' : undefined}>{label}</span>
        <ChevronIcon size={14} className="chev" />
      </summary>
      <div className="reasoning-body">
        <Markdown text={text} />
      </div>
    </details>
  );
}
