/**
 * The Quantizations page (`#/quants`, issue 14 §3): every quantization of a model side by side (installed,
 * downloadable from the same repo, makeable here) with size, fit, speed and quality, one recommendation in words, and
 * one-click download / make / check / switch. The model is the library's choice (ui store), else the running one.
 */
import { useState } from 'react';
import type { EvalTextId } from '@shared/quant';
import { useBackendStatus } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useQuantText } from '../../lib/useQuantText';
import { useUi } from '../../stores/ui';
import { useLibrary } from '../models/queries';
import { JobsList } from '../quant/JobsList';
import { MakeDialog } from '../quant/MakeDialog';
import { pickModel } from './compare-view';
import { QualityDialog } from './QualityDialog';
import { QuantsPickers } from './QuantsPickers';
import { QuantsSummary } from './QuantsSummary';
import { QuantsTable } from './QuantsTable';
import { defaultText } from './quality-view';
import { useComparison, useLiveComparison } from './queries';
import { useLng } from './useLng';
import './quantizations.css';

export function QuantsPage() {
  const t = useQuantText();
  const lng = useLng();
  useLiveComparison();
  const library = useLibrary();
  const { data: status } = useBackendStatus();
  const asked = useUi((s) => s.quantsModelPath);
  const setAsked = useUi((s) => s.setQuantsModelPath);
  const setView = useUi((s) => s.setView);
  const [text, setText] = useState<EvalTextId>(() => defaultText(lng));
  const [checking, setChecking] = useState<string | null>(null);
  const [making, setMaking] = useState<string | null>(null);
  const [switched, setSwitched] = useState<string | null>(null);

  const live = status?.state === 'ready' || status?.state === 'starting';
  const running = live ? (status.model?.path ?? null) : null;
  const models = library.data ?? [];
  const modelPath = pickModel(asked, running, models);
  const cmp = useComparison(modelPath, text);
  const paths = new Set<string>([modelPath ?? '']);
  for (const r of cmp.data?.rows ?? []) {
    if (r.path) paths.add(r.path);
    if (r.makeFrom) paths.add(r.makeFrom);
  }

  return (
    <div className="page page-wide qz-page" data-testid="quants-page">
      <section className="card">
        <h2 className="card-title">{t('compare.title')}</h2>
        <p className="card-sub">{t('compare.intro')}</p>
        {library.error && <ErrorMessage error={library.error} />}
        {library.data && models.length === 0 ? (
          <div className="library-empty" data-testid="quants-empty">
            <p className="muted">{t('compare.noModels')}</p>
            <button type="button" className="btn btn-primary" onClick={() => setView('models')}>
              {t('compare.browse')}
            </button>
          </div>
        ) : (
          <QuantsPickers
            models={models}
            modelPath={modelPath}
            onModel={(p) => {
              setAsked(p);
              setSwitched(null);
            }}
            text={text}
            onText={setText}
          />
        )}
      </section>
      {modelPath && (
        <section className="card">
          {cmp.error && <ErrorMessage error={cmp.error} testId="quants-error" />}
          {cmp.isPending && <p className="muted">{t('compare.loading')}</p>}
          {switched && (
            <div className="qz-switched" role="status" data-testid="quants-switched">
              <span>{t('compare.switched', { quant: switched })}</span>
              <button
                type="button"
                className="btn btn-small btn-primary"
                data-testid="quants-back-to-chat"
                onClick={() => setView('chat')}
              >
                {t('compare.backToChat')}
              </button>
            </div>
          )}
          {cmp.data && (
            <>
              <QuantsSummary comparison={cmp.data} />
              <QuantsTable
                comparison={cmp.data}
                actions={{
                  canSwitch: status?.state === 'ready',
                  onCheck: setChecking,
                  onMakeOptions: setMaking,
                  onSwitched: setSwitched,
                }}
              />
            </>
          )}
        </section>
      )}
      {modelPath && (
        <JobsList card title={t('compare.jobs')} empty={t('compare.noJobs')} filter={(j) => paths.has(j.modelPath)} />
      )}
      {checking && <QualityDialog modelPath={checking} onClose={() => setChecking(null)} />}
      {making && <MakeDialog modelPath={making} onClose={() => setMaking(null)} />}
    </div>
  );
}
