/**
 * What remote.check found: reachable or not (translated error + hint), the server type, its response time, the
 * models it lists, and for https its certificate, with "I know this server — trust this certificate" when the
 * system's authorities do not vouch for it.
 */
import type { RemoteCertificate, RemoteCheck } from '@shared/backends';
import { useKindsText } from '../../../lib/useKindsText';
import { flavorKey } from './remote-view';
import { RemoteError } from './RemoteError';

export function CheckResult(props: {
  check: RemoteCheck;
  trusted: boolean;
  onTrust: (on: boolean) => void;
  busy: boolean;
  /** False while another error (a failed add) is shown: one error box at a time. */
  showError: boolean;
}) {
  const t = useKindsText();
  const { check } = props;
  return (
    <div className="remote-check" data-testid="remote-check-result" data-ok={String(check.ok)}>
      <p className={check.ok ? 'remote-check-head ok' : 'remote-check-head failed'}>
        {check.ok ? t('remote.check.ok') : t('remote.check.failed')}
      </p>
      {check.error && props.showError && <RemoteError error={check.error} testId="remote-error" />}
      <dl className="kv">
        {(check.ok || check.flavor !== 'unknown') && (
          <>
            <dt>{t('remote.check.flavor')}</dt>
            <dd data-testid="remote-flavor" data-flavor={check.flavor}>
              {t(`remote.flavor.${flavorKey(check.flavor)}`)}
            </dd>
          </>
        )}
        {check.latencyMs !== null && (
          <>
            <dt>{t('remote.check.latency')}</dt>
            <dd data-testid="remote-latency">{t('remote.check.latencyValue', { ms: Math.round(check.latencyMs) })}</dd>
          </>
        )}
        {check.ok && (
          <>
            <dt>{t('remote.check.modelCount', { count: check.models.length })}</dt>
            <dd>
              {check.models.length === 0 ? (
                <span className="muted">{t('remote.check.noModels')}</span>
              ) : (
                <ul className="remote-models" data-testid="remote-models">
                  {check.models.map((m) => (
                    <li key={m.id}>
                      <span className="mono">{m.id}</span>
                      {m.contextLength !== null && (
                        <span className="hint"> · {t('remote.check.context', { tokens: m.contextLength })}</span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </>
        )}
      </dl>
      {check.certificate && (
        <Certificate cert={check.certificate} trusted={props.trusted} onTrust={props.onTrust} busy={props.busy} />
      )}
    </div>
  );
}

function Certificate(p: { cert: RemoteCertificate; trusted: boolean; onTrust: (on: boolean) => void; busy: boolean }) {
  const t = useKindsText();
  const { cert } = p;
  return (
    <div className="remote-cert-box">
      <h4 className="remote-sub">{t('remote.cert.title')}</h4>
      <dl className="kv">
        <dt>{t('remote.cert.fingerprint')}</dt>
        <dd className="mono" data-testid="remote-cert">
          {cert.fingerprint256}
        </dd>
        <dt>{t('remote.cert.subject')}</dt>
        <dd>{cert.subject}</dd>
        <dt>{t('remote.cert.issuer')}</dt>
        <dd>{cert.issuer}</dd>
        <dt>{t('remote.cert.validTo')}</dt>
        <dd>{cert.validTo}</dd>
      </dl>
      {cert.trusted ? (
        <p className="hint">{t('remote.cert.trusted')}</p>
      ) : (
        <div className="inline-note warn remote-trust">
          <span>{t('remote.cert.untrusted')}</span>
          <label className="remote-trust-label">
            <input
              type="checkbox"
              data-testid="remote-trust"
              checked={p.trusted}
              disabled={p.busy}
              onChange={(e) => p.onTrust(e.target.checked)}
            />
            <strong>{t('remote.cert.trust')}</strong>
          </label>
          <span className="small">{t('remote.cert.trustExplain')}</span>
        </div>
      )}
    </div>
  );
}
