/**
 * A reply cut by the backend dying: its partial text stays above; this marks it "interrupted — backend restarted"
 * (or restarting / stopped, from the live status) and offers Retry, which waits for the backend to be ready.
 */
import { useEffect, useState } from 'react';
import { useClient, useConnState } from '../../api/context';
import { useBackendStatus } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useBackendText } from '../../lib/useBackendText';
import type { MessageNode } from '@shared/chat-schemas';
import { useChat } from '../../stores/chat';
import { interruptedKey } from '../model/recovery-view';
import { canRetry, retryReply } from './retry';
import '../model/recovery.css';

export function Interrupted({ message: m }: { message: MessageNode }) {
  const tb = useBackendText();
  const client = useClient();
  const online = useConnState().status === 'open';
  const { data: status } = useBackendStatus();
  const retryable = useChat((s) => canRetry(m, s.leafId));
  const replying = useChat((s) => s.streamingId !== null);
  const [queued, setQueued] = useState(false);
  const key = interruptedKey(status);
  const ready = status?.state === 'ready' && online;

  // Clicked while the backend was restarting: ask again as soon as it is ready.
  useEffect(() => {
    if (!queued || !ready || replying) return;
    setQueued(false);
    void retryReply(client, m.id);
  }, [queued, ready, replying, client, m.id]);

  const stopped = key === 'heal.interrupted.stopped';
  return (
    <div className="interrupted" data-testid="interrupted" data-backend={key.split('.').pop()}>
      {m.error && <ErrorMessage error={m.error} compact />}
      <div className="interrupted-row">
        <span className="badge badge-warn">{tb(key)}</span>
        {retryable &&
          (queued ? (
            <span className="hint">{tb('heal.interrupted.queued')}</span>
          ) : (
            <button
              type="button"
              className="btn btn-small"
              data-testid="reply-retry"
              title={tb('heal.interrupted.retryTitle')}
              disabled={!online || replying || (stopped && !ready)}
              onClick={() => (ready ? void retryReply(client, m.id) : setQueued(true))}
            >
              {ready ? tb('heal.interrupted.retry') : tb('heal.interrupted.retryWhenReady')}
            </button>
          ))}
      </div>
    </div>
  );
}
