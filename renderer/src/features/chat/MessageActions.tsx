/**
 * The row under a message: versions ‹ n/m ›, copy (Markdown and plain text), edit, regenerate, continue, fork and
 * delete (asked once more inline).
 */
import { useState, type RefObject } from 'react';
import type { MessageNode } from '@shared/chat-schemas';
import { useClient } from '../../api/context';
import {
  CheckIcon,
  ChevronIcon,
  ContinueIcon,
  CopyIcon,
  EditIcon,
  ForkIcon,
  PlainTextIcon,
  RegenerateIcon,
  TrashIcon,
} from '../../components/icons';
import { copyText } from '../../lib/clipboard';
import { useLiveText, type LiveKey } from '../../lib/useLiveText';
import { useChat } from '../../stores/chat';
import { continueReply, deleteMessage, forkAt, regenerate, send, switchVersion } from './controller';

/** A reply that can go on: cut by the length limit, stopped, or interrupted with text (or thinking) to build on. */
export const canContinue = (m: MessageNode): boolean =>
  m.role === 'assistant' &&
  (m.finishReason === 'length' || m.status === 'stopped' || m.status === 'interrupted') &&
  m.content.length + m.reasoning.length > 0;

function IconButton({
  label,
  testId,
  onClick,
  disabled,
  children,
}: {
  label: LiveKey;
  testId: string;
  onClick: () => void;
  disabled?: boolean;
  children: React.ReactNode;
}) {
  const tl = useLiveText();
  return (
    <button
      type="button"
      className="icon-btn msg-action"
      data-testid={testId}
      title={tl(label)}
      aria-label={tl(label)}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

function VersionSwitch({ m }: { m: MessageNode }) {
  const tl = useLiveText();
  const client = useClient();
  const siblings = useChat((s) => s.children[m.parentId ?? '']);
  const busy = useChat((s) => s.streamingId !== null);
  if (!siblings || siblings.length < 2) return null;
  const at = siblings.indexOf(m.id);
  const go = (i: number) => void switchVersion(client, siblings[i]!);
  return (
    <span
      className="version-switch"
      data-testid="msg-versions"
      title={tl('thread.actions.version', { n: at + 1, total: siblings.length })}
    >
      <button
        type="button"
        className="icon-btn"
        data-testid="msg-version-prev"
        aria-label={tl('thread.actions.prevVersion')}
        disabled={at <= 0 || busy}
        onClick={() => go(at - 1)}
      >
        <ChevronIcon size={13} className="chev-left" />
      </button>
      <span className="version-count" data-testid="msg-version-count">
        {at + 1}/{siblings.length}
      </span>
      <button
        type="button"
        className="icon-btn"
        data-testid="msg-version-next"
        aria-label={tl('thread.actions.nextVersion')}
        disabled={at >= siblings.length - 1 || busy}
        onClick={() => go(at + 1)}
      >
        <ChevronIcon size={13} className="chev-right" />
      </button>
    </span>
  );
}

export function MessageActions({ m, body }: { m: MessageNode; body: RefObject<HTMLDivElement | null> }) {
  const tl = useLiveText();
  const client = useClient();
  const busy = useChat((s) => s.streamingId !== null);
  const isLeaf = useChat((s) => s.leafId === m.id);
  const [copied, setCopied] = useState<'md' | 'plain' | null>(null);
  const [confirming, setConfirming] = useState(false);

  const copy = (kind: 'md' | 'plain') => {
    // Plain text is what the reader sees: the rendered Markdown's text (no markers, code and tables as text).
    const text = kind === 'md' ? m.content : (body.current?.innerText ?? m.content);
    void copyText(text).then(() => {
      setCopied(kind);
      setTimeout(() => setCopied(null), 1500);
    });
  };

  if (confirming) {
    return (
      <div className="msg-actions confirming" role="group" aria-label={tl('thread.actions.label')}>
        <span className="hint">{tl('thread.actions.confirmDelete')}</span>
        <button
          type="button"
          className="btn btn-small btn-danger"
          data-testid="msg-delete-confirm"
          onClick={() => {
            setConfirming(false);
            void deleteMessage(client, m.id);
          }}
        >
          {tl('thread.actions.confirm')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => setConfirming(false)}>
          {tl('thread.actions.cancel')}
        </button>
      </div>
    );
  }

  return (
    <div className="msg-actions" role="group" aria-label={tl('thread.actions.label')} data-testid="msg-actions">
      <VersionSwitch m={m} />
      <IconButton label="thread.actions.copyMarkdown" testId="msg-copy" onClick={() => copy('md')}>
        {copied === 'md' ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
      </IconButton>
      {m.role === 'assistant' && (
        <IconButton label="thread.actions.copyPlain" testId="msg-copy-plain" onClick={() => copy('plain')}>
          {copied === 'plain' ? <CheckIcon size={14} /> : <PlainTextIcon size={14} />}
        </IconButton>
      )}
      {m.role === 'user' && (
        <IconButton label="thread.actions.edit" testId="msg-edit" onClick={() => useChat.getState().setEditing(m.id)}>
          <EditIcon size={14} />
        </IconButton>
      )}
      {m.role === 'user' && isLeaf && (
        <IconButton
          label="thread.actions.resend"
          testId="msg-resend"
          disabled={busy}
          onClick={() =>
            void send(client, {
              content: m.content,
              attachments: m.attachments.map((a) => ({ ...a, size: new TextEncoder().encode(a.text).length })),
              editOf: m.id,
            })
          }
        >
          <RegenerateIcon size={14} />
        </IconButton>
      )}
      {m.role === 'assistant' && (
        <IconButton
          label="thread.actions.regenerate"
          testId="msg-regenerate"
          disabled={busy}
          onClick={() => void regenerate(client, m.id)}
        >
          <RegenerateIcon size={14} />
        </IconButton>
      )}
      {isLeaf && canContinue(m) && (
        <button
          type="button"
          className="btn btn-small msg-continue"
          data-testid="msg-continue"
          title={tl('thread.actions.continueTitle')}
          disabled={busy}
          onClick={() => void continueReply(client, m.id)}
        >
          <ContinueIcon size={14} />
          {tl('thread.actions.continue')}
        </button>
      )}
      <IconButton
        label="thread.actions.fork"
        testId="msg-fork"
        disabled={busy}
        onClick={() => void forkAt(client, m.id)}
      >
        <ForkIcon size={14} />
      </IconButton>
      <IconButton label="thread.actions.delete" testId="msg-delete" disabled={busy} onClick={() => setConfirming(true)}>
        <TrashIcon size={14} />
      </IconButton>
    </div>
  );
}
