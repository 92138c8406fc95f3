/** A user message edited in place: sending makes a new version of it (a branch); Esc or Cancel leaves it as it was. */
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { MessageNode } from '@shared/chat-schemas';
import { useClient } from '../../api/context';
import { useLiveText } from '../../lib/useLiveText';
import { useChat } from '../../stores/chat';
import { send } from './controller';

const isSubmit = (e: KeyboardEvent) =>
  e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && e.keyCode !== 229;

export function EditBox({ message: m }: { message: MessageNode }) {
  const tl = useLiveText();
  const client = useClient();
  const busy = useChat((s) => s.streamingId !== null);
  const [text, setText] = useState(m.content);
  const ref = useRef<HTMLTextAreaElement>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 320)}px`;
  }, [text]);

  const cancel = () => useChat.getState().setEditing(null);
  const submit = () => {
    if (busy || !text.trim()) return;
    const attachments = m.attachments.map((a) => ({ ...a, size: new TextEncoder().encode(a.text).length }));
    void send(client, { content: text, attachments, editOf: m.id });
  };

  return (
    <div className="msg msg-user msg-editing" data-testid="message-edit">
      <div className="edit-box">
        <textarea
          ref={ref}
          className="composer-input"
          data-testid="edit-input"
          aria-label={tl('thread.edit.label')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              cancel();
            } else if (isSubmit(e)) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <div className="edit-row">
          <span className="hint">{busy ? tl('thread.edit.busy') : tl('thread.edit.hint')}</span>
          <button type="button" className="btn btn-small" data-testid="edit-cancel" onClick={cancel}>
            {tl('thread.edit.cancel')}
          </button>
          <button
            type="button"
            className="btn btn-small btn-primary"
            data-testid="edit-send"
            disabled={busy || !text.trim()}
            onClick={submit}
          >
            {tl('thread.edit.send')}
          </button>
        </div>
      </div>
    </div>
  );
}
