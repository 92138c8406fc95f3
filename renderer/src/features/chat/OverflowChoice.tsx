/** The message did not fit the context: a clear choice instead of an error (a summary chat, or drop the oldest turns). */
import { useState } from 'react';
import { useClient } from '../../api/context';
import { useLiveText } from '../../lib/useLiveText';
import { useChat } from '../../stores/chat';
import { cancelOverflow, sendDroppingOldest, summarizeInto } from './controller';

export function OverflowChoice() {
  const tl = useLiveText();
  const client = useClient();
  const overflow = useChat((s) => s.overflow);
  const [busy, setBusy] = useState(false);
  if (!overflow) return null;
  const run = (f: () => Promise<void>) => {
    setBusy(true);
    void f().finally(() => setBusy(false));
  };
  return (
    <div className="overflow-choice notice" role="alert" data-testid="overflow-choice">
      <div>
        <strong>{tl('thread.overflow.title')}</strong>
        <p className="muted">{tl('thread.overflow.text')}</p>
      </div>
      <div className="overflow-buttons">
        <button
          type="button"
          className="btn btn-small btn-primary"
          data-testid="overflow-summarize"
          title={tl('thread.overflow.summarizeTitle')}
          disabled={busy}
          onClick={() => run(() => summarizeInto(client))}
        >
          {tl('thread.overflow.summarize')}
        </button>
        <button
          type="button"
          className="btn btn-small"
          data-testid="overflow-drop"
          title={tl('thread.overflow.dropOldestTitle')}
          disabled={busy}
          onClick={() => run(() => sendDroppingOldest(client))}
        >
          {tl('thread.overflow.dropOldest')}
        </button>
        <button type="button" className="btn btn-small" data-testid="overflow-cancel" onClick={cancelOverflow}>
          {tl('thread.overflow.cancel')}
        </button>
      </div>
    </div>
  );
}
