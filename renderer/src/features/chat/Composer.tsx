import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/context';
import { useBackendStatus } from '../../api/queries';
import { CloseIcon, FileIcon, PaperclipIcon, SendIcon, StopIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';
import { useLiveText } from '../../lib/useLiveText';
import { useChat, type DraftAttachment } from '../../stores/chat';
import { isRefusal, readFile, type Refusal } from './attach';
import { ContextMeter } from './ContextMeter';
import { fileFits } from './context-check';
import { lastUserId } from './tree';

const MAX_HEIGHT = 220;

/** Enter that sends: not with Shift (a new line), not while an IME is composing (pinyin, kana: Enter picks a word). */
const isSubmit = (e: KeyboardEvent) =>
  e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && e.keyCode !== 229;

function Chips({ list, onRemove }: { list: DraftAttachment[]; onRemove: (i: number) => void }) {
  const tl = useLiveText();
  const { i18n } = useTranslation();
  if (list.length === 0) return null;
  return (
    <ul className="attach-chips composer-chips" aria-label={tl('thread.composer.attachments')}>
      {list.map((a, i) => (
        <li key={`${a.name}-${i}`} className="attach-chip" data-testid="attach-chip" title={a.name}>
          <FileIcon size={13} />
          <span className="attach-name">{a.name}</span>
          <span className="attach-size">{formatBytes(a.size, i18n.resolvedLanguage ?? 'en')}</span>
          <button
            type="button"
            className="icon-btn attach-remove"
            data-testid="attach-remove"
            aria-label={tl('thread.composer.remove', { name: a.name })}
            title={tl('thread.composer.remove', { name: a.name })}
            onClick={() => onRemove(i)}
          >
            <CloseIcon size={12} />
          </button>
        </li>
      ))}
    </ul>
  );
}

export function Composer({ disabled, onSend, onStop }: { disabled: boolean; onSend: () => void; onStop: () => void }) {
  const { t, i18n } = useTranslation();
  const tl = useLiveText();
  const client = useClient();
  const { data: status } = useBackendStatus();
  const draft = useChat((s) => s.draft);
  const attachments = useChat((s) => s.attachments);
  const streaming = useChat((s) => s.streamingId !== null);
  const setDraft = useChat((s) => s.setDraft);
  const [refusals, setRefusals] = useState<Refusal[]>([]);
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const canSend = !disabled && !streaming && (draft.trim() !== '' || attachments.length > 0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [draft]);

  useLayoutEffect(() => {
    if (!disabled) ref.current?.focus();
  }, [disabled]);

  const addFiles = async (files: readonly File[]) => {
    const out: Refusal[] = [];
    for (const f of files) {
      const list = useChat.getState().attachments;
      const read = await readFile(f, list);
      const refused = isRefusal(read) ? read : await fileFits(client, read, status?.options?.contextSize ?? null);
      if (refused) out.push(refused);
      else useChat.getState().setAttachments([...useChat.getState().attachments, read as DraftAttachment]);
    }
    setRefusals(out);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (isSubmit(e)) {
      e.preventDefault();
      if (canSend) onSend();
      return;
    }
    // ↑ in an empty composer edits the last question, as in a terminal or Slack.
    if (e.key === 'ArrowUp' && draft === '' && attachments.length === 0 && !e.shiftKey && !e.altKey) {
      const chat = useChat.getState();
      const last = lastUserId(chat.nodes, chat.thread);
      if (last) {
        e.preventDefault();
        chat.setEditing(last);
      }
    }
  };

  const sizeText = (r: Refusal) => ({
    ...r.params,
    ...(typeof r.params.size === 'number' ? { size: formatBytes(r.params.size, i18n.resolvedLanguage ?? 'en') } : {}),
  });

  return (
    <div
      className={disabled ? 'composer disabled' : 'composer'}
      data-testid="composer"
      onDragOver={(e) => {
        if (!disabled && e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        if (disabled || e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        void addFiles([...e.dataTransfer.files]);
      }}
    >
      <Chips
        list={attachments}
        onRemove={(i) => useChat.getState().setAttachments(attachments.filter((_, j) => j !== i))}
      />
      <textarea
        ref={ref}
        className="composer-input"
        data-testid="chat-input"
        rows={1}
        value={draft}
        disabled={disabled}
        placeholder={disabled ? t('chat.placeholderDisabled') : t('chat.placeholder')}
        aria-label={t('chat.inputLabel')}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
        onPaste={(e) => {
          const files = [...e.clipboardData.files];
          if (files.length > 0) {
            e.preventDefault();
            void addFiles(files);
          }
        }}
      />
      {refusals.length > 0 && (
        <ul className="attach-refusals" data-testid="attach-refused">
          {refusals.map((r, i) => (
            <li key={i} className="hint warn">
              {tl(r.key, sizeText(r))}
            </li>
          ))}
        </ul>
      )}
      <div className="composer-actions">
        <button
          type="button"
          className="icon-btn composer-attach"
          data-testid="chat-attach"
          title={tl('thread.composer.attach')}
          aria-label={tl('thread.composer.attach')}
          disabled={disabled}
          onClick={() => fileInput.current?.click()}
        >
          <PaperclipIcon size={16} />
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="chat-attach-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void addFiles(files);
          }}
        />
        <ContextMeter />
        <span className="composer-hint">{streaming ? tl('thread.composer.escHint') : t('chat.enterHint')}</span>
        {streaming ? (
          <button
            type="button"
            className="btn btn-round btn-stop"
            data-testid="chat-stop"
            onClick={onStop}
            title={t('chat.stop')}
            aria-label={t('chat.stop')}
          >
            <StopIcon size={16} />
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-round btn-primary"
            data-testid="chat-send"
            onClick={onSend}
            disabled={!canSend}
            title={t('chat.send')}
            aria-label={t('chat.send')}
          >
            <SendIcon size={16} />
          </button>
        )}
      </div>
    </div>
  );
}
