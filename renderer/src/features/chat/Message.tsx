import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatTimings } from '@shared/schemas';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatCount, formatDecimal } from '../../lib/format';
import type { UiMessage } from '../../stores/chat';
import { isInterruption } from '../model/recovery-view';
import { Interrupted } from './Interrupted';
import { Markdown } from './Markdown';
import { ReasoningBlock } from './ReasoningBlock';
import { SpecStats } from './SpecStats';

function ReplyStats({ timings, stopped }: { timings: ChatTimings | null; stopped: boolean }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  return (
    <div className="reply-stats" data-testid="reply-stats">
      {stopped && <span className="badge badge-warn">{t('chat.stopped')}</span>}
      {timings && (
        <>
          <span title={t('chat.stats.tpsTitle')}>
            {t('chat.stats.tps', { n: formatDecimal(timings.tokensPerSecond, lng) })}
          </span>
          <span className="dot-sep" aria-hidden="true" />
          <span title={t('chat.stats.ttftTitle')}>
            {t('chat.stats.ttft', { n: formatCount(Math.round(timings.ttftMs), lng) })}
          </span>
          <span className="dot-sep" aria-hidden="true" />
          <span title={t('chat.stats.tokensTitle')}>
            {t('chat.stats.tokens', {
              prompt: formatCount(timings.promptTokens, lng),
              predicted: formatCount(timings.predictedTokens, lng),
            })}
          </span>
          <SpecStats timings={timings} />
        </>
      )}
    </div>
  );
}

export const Message = memo(function Message({ message: m }: { message: UiMessage }) {
  const { t } = useTranslation();
  if (m.role === 'user') {
    return (
      <div className="msg msg-user" data-testid="message-user">
        <div className="bubble">{m.content}</div>
      </div>
    );
  }
  const waiting = m.streaming && !m.content && !m.reasoning;
  return (
    <div
      className="msg msg-assistant"
      data-testid="message-assistant"
      data-streaming={m.streaming}
      data-stopped={m.stopped}
    >
      {m.reasoning && (
        <ReasoningBlock
          text={m.reasoning}
          streaming={m.streaming}
          thinking={m.streaming && !m.content}
          ms={m.reasoningMs}
        />
      )}
      {m.content && <Markdown text={m.content} />}
      {waiting && (
        <div className="typing" aria-label={t('chat.waiting')}>
          <span />
          <span />
          <span />
        </div>
      )}
      {m.streaming && m.content && <span className="cursor" aria-hidden="true" />}
      {m.error && !m.streaming && isInterruption(m.error) ? (
        <Interrupted message={m} />
      ) : (
        m.error && <ErrorMessage error={m.error} compact />
      )}
      {!m.streaming && !m.error && (m.timings || m.stopped) && <ReplyStats timings={m.timings} stopped={m.stopped} />}
      {!m.streaming && m.finishReason === 'length' && <div className="hint">{t('chat.truncated')}</div>}
    </div>
  );
});
