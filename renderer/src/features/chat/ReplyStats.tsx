import { useTranslation } from 'react-i18next';
import type { MessageNode } from '@shared/chat-schemas';
import { fileName, formatCount, formatDecimal } from '../../lib/format';
import { useLiveText } from '../../lib/useLiveText';
import { SpecStats } from './SpecStats';

/** Why a reply ended, when it is worth saying (a normal stop is not). */
export function endedKey(m: Pick<MessageNode, 'status' | 'finishReason'>) {
  if (m.status === 'stopped') return 'thread.ended.stopped' as const;
  if (m.status === 'interrupted') return 'thread.ended.interrupted' as const;
  if (m.status === 'done' && m.finishReason === 'length') return 'thread.ended.length' as const;
  return null;
}

/** The reply's real figures from the backend (also for a stopped or cut one) and why it ended. */
export function ReplyStats({ m }: { m: MessageNode }) {
  const { t, i18n } = useTranslation();
  const tl = useLiveText();
  const lng = i18n.resolvedLanguage ?? 'en';
  const ended = endedKey(m);
  const timings = m.timings;
  if (!ended && !timings) return null;
  return (
    <div className="reply-stats" data-testid="reply-stats" data-ended={m.finishReason ?? m.status}>
      {ended && (
        <span className="badge badge-warn" data-testid="reply-ended">
          {tl(ended)}
        </span>
      )}
      {timings && (
        <>
          {timings.predictedTokens > 0 && (
            <>
              <span title={t('chat.stats.tpsTitle')}>
                {t('chat.stats.tps', { n: formatDecimal(timings.tokensPerSecond, lng) })}
              </span>
              <span className="dot-sep" aria-hidden="true" />
              <span title={t('chat.stats.ttftTitle')}>
                {t('chat.stats.ttft', { n: formatCount(Math.round(timings.ttftMs), lng) })}
              </span>
              <span className="dot-sep" aria-hidden="true" />
            </>
          )}
          <span title={t('chat.stats.tokensTitle')}>
            {t('chat.stats.tokens', {
              prompt: formatCount(timings.promptTokens, lng),
              predicted: formatCount(timings.predictedTokens, lng),
            })}
          </span>
          <SpecStats timings={timings} />
        </>
      )}
      {m.model && <span className="reply-model muted">{fileName(m.model)}</span>}
    </div>
  );
}
