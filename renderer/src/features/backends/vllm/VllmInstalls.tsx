/** The vLLM installations detection found, each with what it runs on and whether it is usable; the re-check button. */
import type { VllmDetection, VllmInstall } from '@shared/backends';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { formatBytes } from '../../../lib/format';
import { useKindsText } from '../../../lib/useKindsText';
import { useLng } from '../../quantizations/useLng';
import { useVllmRecheck } from './queries';
import { gpuBytes } from './vllm-view';

export function VllmInstalls({ detection, loading }: { detection: VllmDetection | undefined; loading: boolean }) {
  const t = useKindsText();
  const lng = useLng();
  const recheck = useVllmRecheck();
  const busy = recheck.isPending || loading;
  return (
    <div className="vllm-block">
      <div className="vllm-head">
        <h3 className="vllm-h3">{t('vllm.detect.title')}</h3>
        {detection && (
          <span className="muted small">
            {t('vllm.detect.checkedAt', { time: new Date(detection.checkedAt).toLocaleTimeString(lng) })}
          </span>
        )}
        <button
          type="button"
          className="btn btn-small"
          data-testid="vllm-recheck"
          disabled={busy}
          aria-busy={busy}
          onClick={() => recheck.mutate()}
        >
          {busy && <span className="spinner spinner-inline" role="status" aria-label={t('vllm.detect.checking')} />}
          {t('vllm.detect.recheck')}
        </button>
      </div>
      {recheck.error && <ErrorMessage error={recheck.error} compact />}
      {!detection && loading && <p className="muted">{t('vllm.detect.checking')}</p>}
      {detection && (
        <ul className="vllm-installs" data-testid="vllm-installs">
          {detection.installs.length === 0 && <li className="muted">{t('vllm.detect.none')}</li>}
          {detection.installs.map((i) => (
            <InstallRow key={i.id} install={i} preferred={i.id === detection.preferred} />
          ))}
        </ul>
      )}
    </div>
  );
}

function InstallRow({ install: i, preferred }: { install: VllmInstall; preferred: boolean }) {
  const t = useKindsText();
  const lng = useLng();
  const unknown = t('vllm.detect.unknown');
  return (
    <li className="vllm-install" data-testid="vllm-install" data-usable={String(i.usable)} data-id={i.id}>
      <div className="vllm-install-head">
        <span className={i.usable ? 'chip chip-ok' : 'chip'}>
          {i.usable ? t('vllm.detect.usable') : t('vllm.detect.notUsable')}
        </span>
        <strong>vLLM {i.version ?? unknown}</strong>
        <span className="muted small">{t(`vllm.detect.source.${i.source}`)}</span>
        {preferred && <span className="chip chip-accent">{t('vllm.detect.preferred')}</span>}
      </div>
      <code className="vllm-install-cmd mono small">{i.command.join(' ')}</code>
      <dl className="kv vllm-install-kv">
        <dt>{t('vllm.detect.python')}</dt>
        <dd>{i.python ?? unknown}</dd>
        <dt>{t('vllm.detect.torch')}</dt>
        <dd>{i.torch ?? unknown}</dd>
        <dt>{t('vllm.detect.cuda')}</dt>
        <dd>{i.cuda ?? (i.torch ? t('vllm.detect.cudaNone') : unknown)}</dd>
        <dt>{t('vllm.detect.gpus')}</dt>
        <dd>
          {i.gpus.length === 0 ? (
            t('vllm.detect.noGpus')
          ) : (
            <ul className="vllm-gpus">
              {i.gpus.map((g) => {
                const bytes = gpuBytes(g.memoryMiB);
                return (
                  <li key={g.index}>
                    {t('vllm.detect.gpu', { index: g.index, name: g.name })}
                    {bytes !== null && (
                      <span className="muted">
                        {' '}
                        · {t('vllm.detect.gpuMemory', { memory: formatBytes(bytes, lng) })}
                      </span>
                    )}
                    {g.capability && (
                      <span className="muted"> · {t('vllm.detect.capability', { capability: g.capability })}</span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </dd>
      </dl>
      {i.problem && <ErrorMessage error={i.problem} compact testId="vllm-install-problem" />}
    </li>
  );
}
