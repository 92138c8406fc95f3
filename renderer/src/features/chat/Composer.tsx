import { useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SendIcon, StopIcon } from '../../components/icons';
import { useChat } from '../../stores/chat';

const MAX_HEIGHT = 220;

export function Composer({
  disabled,
  streaming,
  onSend,
  onStop,
}: {
  disabled: boolean;
  streaming: boolean;
  onSend: () => void;
  onStop: () => void;
}) {
  const { t } = useTranslation();
  const draft = useChat((s) => s.draft);
  const setDraft = useChat((s) => s.setDraft);
  const ref = useRef<HTMLTextAreaElement>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [draft]);

  useLayoutEffect(() => {
    if (!disabled) ref.current?.focus();
  }, [disabled]);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // While an IME is composing (pinyin, kana), Enter picks a candidate; it must not send. 229 covers
    // browsers that report the confirming keydown after compositionend.
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    if (!streaming && !disabled && draft.trim()) onSend();
  };

  return (
    <div className={disabled ? 'composer disabled' : 'composer'}>
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
      />
      <div className="composer-actions">
        <span className="composer-hint">{t('chat.enterHint')}</span>
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
            disabled={disabled || !draft.trim()}
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
