import { memo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageNode } from '@shared/chat-schemas';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FileIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';
import { useChat, useNode } from '../../stores/chat';
import { isInterruption } from '../model/recovery-view';
import { EditBox } from './EditBox';
import { Interrupted } from './Interrupted';
import { Markdown } from './Markdown';
import { MessageActions } from './MessageActions';
import { ReasoningBlock } from './ReasoningBlock';
import { ReplyStats } from './ReplyStats';
import './thread.css';

/** One message of the thread, by id: it re-renders when this message changes, not when another one streams. */
export const MessageRow = memo(function MessageRow({ id }: { id: string }) {
  const m = useNode(id);
  const editing = useChat((s) => s.editingId === id);
  if (!m) return null;
  if (m.role === 'user') return editing ? <EditBox message={m} /> : <UserMessage m={m} />;
  return <AssistantMessage m={m} />;
});

function Attachments({ list }: { list: MessageNode['attachments'] }) {
  const { i18n } = useTranslation();
  if (list.length === 0) return null;
  return (
    <ul className="attach-chips" data-testid="message-attachments">
      {list.map((a, i) => (
        <li key={i} className="attach-chip" title={a.name}>
          <FileIcon size={13} />
          <span className="attach-name">{a.name}</span>
          <span className="attach-size">
            {formatBytes(new TextEncoder().encode(a.text).length, i18n.resolvedLanguage ?? 'en')}
          </span>
        </li>
      ))}
    </ul>
  );
}

function UserMessage({ m }: { m: MessageNode }) {
  const body = useRef<HTMLDivElement>(null);
  return (
    <div className="msg msg-user" data-testid="message-user" data-id={m.id}>
      <div className="msg-user-body">
        <Attachments list={m.attachments} />
        <div className="bubble" ref={body}>
          {m.content}
        </div>
        <MessageActions m={m} body={body} />
      </div>
    </div>
  );
}

function AssistantMessage({ m }: { m: MessageNode }) {
  const { t } = useTranslation();
  const body = useRef<HTMLDivElement>(null);
  const streaming = m.status === 'streaming';
  const waiting = streaming && !m.content && !m.reasoning;
  const interruption = !streaming && isInterruption(m.error);
  return (
    <div
      className="msg msg-assistant"
      data-testid="message-assistant"
      data-id={m.id}
      data-status={m.status}
      data-streaming={streaming}
      data-stopped={m.status === 'stopped'}
      data-chars={m.content.length + m.reasoning.length}
    >
      {m.reasoning && (
        <ReasoningBlock
          text={m.reasoning}
          streaming={streaming}
          thinking={streaming && !m.content}
          ms={m.reasoningMs}
        />
      )}
      <div ref={body}>{m.content && <Markdown text={m.content} />}</div>
      {waiting && (
        <div className="typing" aria-label={t('chat.waiting')}>
          <span />
          <span />
          <span />
        </div>
      )}
      {streaming && m.content && <span className="cursor" aria-hidden="true" />}
      {interruption ? <Interrupted message={m} /> : m.error && <ErrorMessage error={m.error} compact />}
      {!streaming && <ReplyStats m={m} />}
      {!streaming && <MessageActions m={m} body={body} />}
    </div>
  );
}
