import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LibraryModel } from '@shared/models';
import { useBackendStatus } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { PlayIcon } from '../../components/icons';
import { formatBytes, formatCount, formatParams } from '../../lib/format';
import { useKindsText } from '../../lib/useKindsText';
import { useDeleteModel } from '../models/queries';
import { ProvenanceLine } from './ProvenanceLine';
import { QuantActions } from './QuantActions';
import './library-quant.css';

/** One installed model: its facts, where it came from when the app made it, load / quantization / delete. */
export function LibraryRow({ model, onLoad }: { model: LibraryModel; onLoad: () => void }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const del = useDeleteModel();
  const { data: status } = useBackendStatus();
  const [confirm, setConfirm] = useState(false);
  const ref = model.source === 'reference';
  const inUse = status?.model?.path === model.path && status.state !== 'stopped' && status.state !== 'crashed';
  // A vLLM snapshot folder: started from the Backends page (llama.cpp cannot load or quantize it).
  const snapshot = model.format === 'safetensors';
  const tk = useKindsText();

  return (
    <li className="library-row" data-testid="library-row" data-id={model.id} data-source={model.source}>
      <div className="library-main">
        <div className="library-name">
          <span className="library-title">{model.name}</span>
          {ref && (
            <span className="chip" title={t('library.referenceHint')}>
              {t('library.reference')}
            </span>
          )}
          {snapshot && (
            <span className="chip" data-testid="library-format">
              {tk('page.kind.vllm')}
            </span>
          )}
          {inUse && <span className="chip chip-ok">{t('library.running')}</span>}
        </div>
        <dl className="facts library-facts">
          <Fact k={t('library.arch')} v={model.architecture ?? t('common.unknown')} />
          <Fact k={t('library.quant')} v={model.quantization ?? t('common.unknown')} />
          <Fact k={t('library.size')} v={formatBytes(model.sizeBytes, lng)} />
          {model.parameterCount ? <Fact k={t('library.params')} v={formatParams(model.parameterCount)} /> : null}
          <Fact
            k={t('library.context')}
            v={model.contextLength ? formatCount(model.contextLength, lng) : t('common.unknown')}
          />
          {model.splitCount > 1 && <Fact k={t('library.files')} v={String(model.splitCount)} />}
        </dl>
        <div className="library-path mono small ellipsis" title={model.path} data-testid="library-path">
          {model.path}
        </div>
        {model.provenance && <ProvenanceLine p={model.provenance} />}
      </div>
      <div className="library-actions">
        {confirm ? (
          <div className="confirm-box" role="group" aria-label={t('library.confirmLabel')}>
            <span className="small">
              {ref
                ? t('library.confirmForget', { name: model.name })
                : t('library.confirmDelete', { name: model.name })}
            </span>
            <div className="confirm-buttons">
              <button
                type="button"
                className="btn btn-small btn-danger"
                data-testid="library-delete-confirm"
                disabled={del.isPending}
                onClick={() => del.mutate(model.id, { onSuccess: () => setConfirm(false) })}
              >
                {ref ? t('library.forget') : t('library.delete')}
              </button>
              <button
                type="button"
                className="btn btn-small"
                data-testid="library-delete-cancel"
                onClick={() => setConfirm(false)}
              >
                {t('library.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <>
            {!snapshot && (
              <button
                type="button"
                className="btn btn-small btn-primary"
                data-testid="library-load"
                onClick={onLoad}
                disabled={!!model.error || inUse}
              >
                <PlayIcon size={13} />
                {t('library.load')}
              </button>
            )}
            {!snapshot && <QuantActions model={model} />}
            <button
              type="button"
              className="btn btn-small btn-danger-ghost"
              data-testid="library-delete"
              onClick={() => setConfirm(true)}
            >
              {ref ? t('library.forget') : t('library.delete')}
            </button>
          </>
        )}
      </div>
      {model.error && <ErrorMessage error={model.error} testId="library-error" compact />}
      {del.error && <ErrorMessage error={del.error} compact />}
    </li>
  );
}

const Fact = ({ k, v }: { k: string; v: string }) => (
  <div className="fact">
    <dt>{k}</dt>
    <dd>{v}</dd>
  </div>
);
