/**
 * Tokens used of the loaded context by the thread and the draft (the backend's count): asked again when the thread
 * changes and, debounced, as the draft changes; a warning before the next message would overflow.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContextUsage } from '@shared/chat-schemas';
import { useClient, useConnState } from '../../api/context';
import { useBackendStatus } from '../../api/queries';
import { formatCount } from '../../lib/format';
import { useLiveText } from '../../lib/useLiveText';
import { useChat } from '../../stores/chat';
import { meterLevel } from './context-check';

const DRAFT_DEBOUNCE_MS = 400;

function useContextUsage(): ContextUsage | null {
  const client = useClient();
  const online = useConnState().status === 'open';
  const { data: status } = useBackendStatus();
  const id = useChat((s) => s.meta?.id ?? null);
  const leafId = useChat((s) => s.leafId);
  const streaming = useChat((s) => s.streamingId !== null);
  const draft = useChat((s) => s.draft);
  const attachments = useChat((s) => s.attachments);
  const [usage, setUsage] = useState<ContextUsage | null>(null);
  const runId = status?.state === 'ready' ? status.runId : null;

  useEffect(() => setUsage(null), [id]);
  useEffect(() => {
    // While a reply streams the count changes every token; it is asked again when the reply ends.
    if (!id || !online || streaming) return;
    let live = true;
    const timer = setTimeout(() => {
      client
        .call('chat.context', {
          conversationId: id,
          ...(draft ? { draft } : {}),
          ...(attachments.length ? { attachments: attachments.map(({ name, text }) => ({ name, text })) } : {}),
        })
        .then((u) => live && setUsage(u))
        .catch(() => live && setUsage(null));
    }, DRAFT_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, online, id, leafId, streaming, draft, attachments, runId]);
  return usage;
}

export function ContextMeter() {
  const tl = useLiveText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const usage = useContextUsage();
  if (!usage || usage.limit <= 0) return null;
  const level = meterLevel(usage);
  const share = Math.min(1, usage.used / usage.limit);
  const params = { used: formatCount(usage.used, lng), limit: formatCount(usage.limit, lng) };
  return (
    <span
      className={`context-meter ${level}`}
      data-testid="context-meter"
      data-level={level}
      data-used={usage.used}
      data-limit={usage.limit}
      title={tl('thread.meter.title', { reserve: formatCount(usage.reserve, lng) })}
    >
      <span className="context-bar" aria-hidden="true">
        <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </span>
      <span className="context-text">{tl(usage.exact ? 'thread.meter.value' : 'thread.meter.approx', params)}</span>
      {level !== 'ok' && (
        <span className="context-warn" data-testid="context-warn" role="status">
          {tl(level === 'over' ? 'thread.meter.wontFit' : 'thread.meter.near')}
        </span>
      )}
    </span>
  );
}
