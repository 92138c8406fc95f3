import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatBytes } from '../../lib/format';
import { useHardware } from '../hardware/queries';
import { HardwareLine } from '../models/ModelsPage';
import { useFitReport } from '../models/queries';
import { useRuntimes } from '../runtimes/queries';
import { UnusableGpu } from '../runtimes/UnusableGpu';
import { useRuntimeText } from '../runtimes/useRuntimeText';

const MiB = 1024 * 1024;

/** What this computer has, as the recommendation will see it. A failed probe is said, not fatal. */
export function HardwareStep() {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const hw = useHardware();
  const fit = useFitReport();
  const runtimes = useRuntimes();
  const { t: tr } = useRuntimeText();
  // GPUs the active runtime cannot use: said first, with the fix, and never shown as if plans could use them.
  const unusable = new Set(runtimes.data?.selection.gpuUnusable?.gpus ?? []);
  const b = (n: number) => formatBytes(n, lng);
  const r = hw.data;

  return (
    <div className="wizard-body" data-testid="wizard-hardware">
      <h2 className="wizard-title">{t('wizard.hardware.title')}</h2>
      {runtimes.data && <UnusableGpu list={runtimes.data} testId="wizard-gpu-unusable" />}
      <p className="muted">{t('wizard.hardware.hint')}</p>
      {hw.isPending && <p className="muted wizard-probing">{t('wizard.hardware.probing')}</p>}
      {r && (
        <dl className="hw-grid">
          <div className="hw-cell">
            <dt>{t('wizard.hardware.cpu')}</dt>
            <dd>{r.cpu.model}</dd>
            <dd className="muted small">{t('hardware.coresValue', { cores: r.cpu.cores, threads: r.cpu.threads })}</dd>
          </div>
          <div className="hw-cell">
            <dt>{t('wizard.hardware.ram')}</dt>
            <dd>{b(r.memory.totalBytes)}</dd>
            <dd className="muted small">{t('wizard.hardware.available', { size: b(r.memory.availableBytes) })}</dd>
          </div>
          {r.gpus.length === 0 ? (
            <div className="hw-cell hw-wide">
              <dt>{t('wizard.hardware.gpu')}</dt>
              <dd>{t('wizard.hardware.noGpu')}</dd>
            </div>
          ) : (
            r.gpus.map((g) => (
              <div className="hw-cell" key={g.index} data-testid="wizard-gpu" data-usable={!unusable.has(g.name)}>
                <dt>{t('wizard.hardware.gpuN', { index: g.index })}</dt>
                <dd>{g.name}</dd>
                {unusable.has(g.name) && <dd className="text-warn small">{tr('unusable.gpuCell')}</dd>}
                <dd className="muted small">
                  {g.vramTotalMiB.value != null
                    ? g.vramFreeMiB.value != null
                      ? t('wizard.hardware.vramFree', {
                          free: b(g.vramFreeMiB.value * MiB),
                          total: b(g.vramTotalMiB.value * MiB),
                        })
                      : t('wizard.hardware.vram', { total: b(g.vramTotalMiB.value * MiB) })
                    : g.unifiedMemory
                      ? t('hardware.unifiedYes')
                      : t('common.unknown')}
                </dd>
              </div>
            ))
          )}
          {r.disk.freeBytes != null && (
            <div className="hw-cell">
              <dt>{t('wizard.hardware.disk')}</dt>
              <dd>{t('wizard.hardware.diskFree', { free: b(r.disk.freeBytes) })}</dd>
            </div>
          )}
        </dl>
      )}
      {hw.error && (
        <div className="wizard-note">
          <p className="small">{t('wizard.hardware.failed')}</p>
          <ErrorMessage error={hw.error} compact />
          {fit.data && <HardwareLine hw={fit.data.hardware} />}
        </div>
      )}
    </div>
  );
}
