/**
 * What this computer has, as the core's probe found it, with the source of each figure. llama-server's own device
 * list is the ground truth of what the backend can use; where sources disagree, both values are shown plainly.
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuInfo, HardwareReport, Source } from '@shared/telemetry';
import { useClient } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, CopyIcon, RefreshIcon } from '../../components/icons';
import { copyText } from '../../lib/clipboard';
import { formatBytes } from '../../lib/format';
import { useFormats } from '../monitor/format';
import { RuntimeCard } from '../runtimes/RuntimeCard';
import { fieldLabel } from './field-label';
import { useHardware, useRefreshHardware } from './queries';

const MIB = 1024 * 1024;

export function HardwarePage() {
  const { t, i18n } = useTranslation();
  const f = useFormats();
  const { data: report, error, isLoading } = useHardware();
  const refresh = useRefreshHardware();
  const locale = i18n.resolvedLanguage ?? 'en';
  return (
    <div className="page page-narrow hardware">
      <div className="hw-toolbar">
        <span className="muted small">
          {report
            ? t('hardware.probedAt', { time: f.time(report.probedAt), ms: f.num(report.durationMs) })
            : isLoading
              ? t('hardware.probing')
              : null}
        </span>
        <div className="hw-actions">
          <CopyButton disabled={!report} />
          <button
            type="button"
            className="btn btn-small"
            data-testid="hw-refresh"
            disabled={refresh.isPending || isLoading}
            onClick={() => refresh.mutate()}
          >
            <RefreshIcon size={14} className={refresh.isPending ? 'spin' : undefined} />
            {refresh.isPending ? t('hardware.refreshing') : t('hardware.refresh')}
          </button>
        </div>
      </div>
      {(error || refresh.error) && <ErrorMessage error={refresh.error ?? error} />}
      {isLoading && (
        <section className="card hw-loading" aria-busy="true">
          <span className="spinner spinner-inline" aria-hidden="true" />
          {t('hardware.probing')}
        </section>
      )}
      {report && <Report report={report} locale={locale} />}
    </div>
  );
}

function CopyButton({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const client = useClient();
  const [copied, setCopied] = useState(false);
  const copy = useMutation({
    mutationFn: async () => copyText((await client.call('hardware.reportText', {})).text),
    onSuccess: () => {
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    },
  });
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        data-testid="hw-copy"
        data-copied={copied}
        disabled={disabled || copy.isPending}
        onClick={() => copy.mutate()}
      >
        {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
        {copied ? t('hardware.copied') : t('hardware.copy')}
      </button>
      {copied && (
        <span className="sr-only" role="status">
          {t('hardware.copied')}
        </span>
      )}
      {copy.error && <ErrorMessage error={copy.error} compact />}
    </>
  );
}

/** The tool a figure came from, shown small beside it. */
const Src = ({ source }: { source: Source }) => {
  const { t } = useTranslation();
  return (
    <span className="src" title={t('hardware.source', { source })}>
      {source}
    </span>
  );
};

function Row({
  label,
  children,
  source,
  sub,
}: {
  label: string;
  children: ReactNode;
  source?: Source;
  sub?: ReactNode;
}) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {children}
        {source && <Src source={source} />}
        {sub}
      </dd>
    </>
  );
}

function Report({ report, locale }: { report: HardwareReport; locale: string }) {
  const { t } = useTranslation();
  const bytes = (n: number | null) => (n == null ? t('common.unknown') : formatBytes(n, locale));
  const { os, cpu, memory, disk } = report;
  const isa = [cpu.avx2 && 'AVX2', cpu.avx512 && 'AVX-512', cpu.neon && 'NEON'].filter(Boolean).join(' · ');
  return (
    <>
      <section className="card" data-testid="hw-cpu">
        <h2 className="card-title">{t('hardware.system')}</h2>
        <dl className="kv">
          <Row label={t('hardware.os')} source={os.source}>
            {os.distro} {os.release}{' '}
            <span className="muted">
              ({os.platform}, {os.arch})
            </span>
          </Row>
          <Row label={t('hardware.cpu')} source={cpu.source}>
            {cpu.model}
          </Row>
          <Row label={t('hardware.cores')}>{t('hardware.coresValue', { cores: cpu.cores, threads: cpu.threads })}</Row>
          <Row label={t('hardware.instructions')}>
            {isa || <span className="muted">{t('hardware.noVectorIsa')}</span>}
          </Row>
          <Row label={t('hardware.ram')} source={memory.source}>
            {t('hardware.ramValue', { available: bytes(memory.availableBytes), total: bytes(memory.totalBytes) })}
          </Row>
          <Row
            label={t('hardware.disk')}
            source={disk.source}
            sub={
              <div className="muted mono small ellipsis" title={disk.path}>
                {disk.path}
              </div>
            }
          >
            {disk.totalBytes != null
              ? t('hardware.diskValue', { free: bytes(disk.freeBytes), total: bytes(disk.totalBytes) })
              : t('hardware.diskFree', { free: bytes(disk.freeBytes) })}
          </Row>
        </dl>
      </section>

      <section className="card">
        <h2 className="card-title">{t('hardware.gpus')}</h2>
        {report.gpus.length === 0 ? (
          <p className="muted" data-testid="hw-nogpu">
            {t('hardware.noGpu')}
          </p>
        ) : (
          <div className="hw-gpus">
            {report.gpus.map((g) => (
              <GpuCard key={g.index} gpu={g} locale={locale} />
            ))}
          </div>
        )}
      </section>

      {report.disagreements.length > 0 && (
        <section className="card hw-disagree" data-testid="hw-disagreements">
          <h2 className="card-title">{t('hardware.disagreements')}</h2>
          <p className="hint card-sub">{t('hardware.disagreementsHint')}</p>
          <ul className="disagree-list">
            {report.disagreements.map((d, i) => (
              <li key={`${d.field}-${i}`}>
                <DisagreeField field={d.field} />
                <span className="disagree-values">
                  {d.values.map((v) => (
                    <span
                      key={v.source}
                      className={v.source === d.preferred ? 'disagree-value preferred' : 'disagree-value'}
                    >
                      <span className="mono">{v.value}</span> <Src source={v.source} />
                      {v.source === d.preferred && <span className="badge badge-ok">{t('hardware.used')}</span>}
                    </span>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <RuntimeCard />

      <section className="card" data-testid="hw-backend">
        <h2 className="card-title">{t('hardware.backend')}</h2>
        <p className="hint card-sub">{t('hardware.backendHint')}</p>
        {report.backendDevices.length === 0 ? (
          <p className="muted">{t('hardware.backendNone')}</p>
        ) : (
          <table className="hw-table">
            <thead>
              <tr>
                <th>{t('hardware.device')}</th>
                <th>{t('hardware.description')}</th>
                <th className="num">{t('hardware.total')}</th>
                <th className="num">{t('hardware.free')}</th>
              </tr>
            </thead>
            <tbody>
              {report.backendDevices.map((d) => (
                <tr key={d.name}>
                  <td className="mono">{d.name}</td>
                  <td>{d.description}</td>
                  <td className="num mono">{d.totalMiB != null ? formatBytes(d.totalMiB * MIB, locale) : '–'}</td>
                  <td className="num mono">{d.freeMiB != null ? formatBytes(d.freeMiB * MIB, locale) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {report.notes.length > 0 && (
        <section className="card" data-testid="hw-notes">
          <h2 className="card-title">{t('hardware.notes')}</h2>
          <ul className="hw-notes">
            {report.notes.map((n, i) => (
              <li key={`${n.tool}-${i}`}>
                <span className="mono hw-note-tool">{n.tool}</span>
                <span className="muted">{t(n.code, { ns: 'probe', defaultValue: n.message, ...n.params })}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

const VENDORS: Record<GpuInfo['vendor'], string> = {
  nvidia: 'NVIDIA',
  amd: 'AMD',
  intel: 'Intel',
  apple: 'Apple',
  other: '',
};

function GpuCard({ gpu, locale }: { gpu: GpuInfo; locale: string }) {
  const { t } = useTranslation();
  const mib = (n: number | null) => (n == null ? t('common.unknown') : formatBytes(n * MIB, locale));
  const dev = gpu.backendDevice;
  return (
    <div className="hw-gpu" data-testid="hw-gpu" data-index={gpu.index}>
      <div className="hw-gpu-head">
        <span className="eyebrow">
          {t('hardware.gpuTitle', { index: gpu.index, vendor: VENDORS[gpu.vendor] || t('hardware.vendorOther') })}
        </span>
        <h3 className="hw-gpu-name">{gpu.name}</h3>
      </div>
      <dl className="kv">
        <Row label={t('hardware.vram')} source={gpu.vramTotalMiB.source}>
          {t('hardware.vramTotal', { total: mib(gpu.vramTotalMiB.value) })}
        </Row>
        <Row label={t('hardware.vramFree')} source={gpu.vramFreeMiB.source}>
          {mib(gpu.vramFreeMiB.value)}
        </Row>
        <Row label={t('hardware.driver')} source={gpu.driverVersion.source}>
          {gpu.driverVersion.value ?? t('common.unknown')}
        </Row>
        {gpu.vendor === 'nvidia' && (
          <>
            <Row label={t('hardware.cuda')}>{gpu.cudaVersion ?? t('common.unknown')}</Row>
            <Row label={t('hardware.compute')}>{gpu.computeCapability ?? t('common.unknown')}</Row>
          </>
        )}
        {gpu.unifiedMemory && <Row label={t('hardware.unified')}>{t('hardware.unifiedYes')}</Row>}
        <Row label={t('hardware.backendDevice')}>
          {dev ? (
            <>
              <span className="mono">{dev.name}</span>
              {dev.totalMiB != null && (
                <span className="muted">
                  {' '}
                  · {t('hardware.deviceMemory', { free: mib(dev.freeMiB), total: mib(dev.totalMiB) })}
                </span>
              )}
            </>
          ) : (
            <span className="text-warn">{t('hardware.notSeenByBackend')}</span>
          )}
        </Row>
      </dl>
    </div>
  );
}

/** A disagreement's field in words, with its id kept as the tooltip (bug reports quote it). */
function DisagreeField({ field }: { field: string }) {
  const { t } = useTranslation();
  const label = fieldLabel(field);
  return (
    <span className="disagree-field" title={field}>
      {label ? t(label.key, label.params) : field}
    </span>
  );
}
