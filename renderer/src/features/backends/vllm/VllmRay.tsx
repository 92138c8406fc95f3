/**
 * vLLM across machines with Ray: this machine's address and GPUs, the workers' addresses and GPUs → the head
 * command, each worker's command, the serve command (vllm.rayCommands), to copy; the head's status, started and
 * stopped here (ray.startHead / ray.stopHead).
 */
import { useState } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { NumberField } from '../../../components/NumberField';
import { useKindsText } from '../../../lib/useKindsText';
import { useRayCommands, useRayHead, useRayStatus } from './queries';
import { CommandBox } from './VllmGuide';
import { displayCommand, rayParams, validRayHost, type RayNodeForm, type VllmStartParams } from './vllm-view';

export function VllmRay({
  modelPath,
  vllm,
  localGpus,
  install,
}: {
  modelPath: string;
  vllm: VllmStartParams['vllm'] | null;
  /** GPUs the chosen install sees here (the head's default count). */
  localGpus: number;
  install: string | null;
}) {
  const t = useKindsText();
  // The head's GPU count follows what the install sees here until the user types one.
  const [headForm, setHead] = useState<{ host: string; gpus: number | null }>({ host: '', gpus: null });
  const head: RayNodeForm = { host: headForm.host, gpus: headForm.gpus ?? Math.max(1, localGpus) };
  const [workers, setWorkers] = useState<RayNodeForm[]>([{ host: '', gpus: 1 }]);
  const params = rayParams(modelPath, head, workers, vllm);
  const cmds = useRayCommands(params);
  const shown = params ? cmds.data : undefined;
  const setWorker = (i: number, patch: Partial<RayNodeForm>) =>
    setWorkers((ws) => ws.map((w, j) => (j === i ? { ...w, ...patch } : w)));

  return (
    <div className="vllm-block vllm-ray">
      <h3 className="vllm-h3">{t('vllm.ray.title')}</h3>
      <p className="muted">{t('vllm.ray.intro')}</p>
      <RayHeadBox install={install} />
      <div className="vllm-ray-nodes">
        <div className="vllm-label">{t('vllm.ray.thisMachine')}</div>
        <NodeRow
          node={head}
          hostLabel={t('vllm.ray.host')}
          onChange={(p) => setHead((h) => ({ ...h, ...p }))}
          testId="vllm-ray-head"
        />
        <div className="vllm-label">{t('vllm.ray.workers')}</div>
        {workers.map((w, i) => (
          <NodeRow
            key={i}
            node={w}
            hostLabel={t('vllm.ray.workerHost')}
            onChange={(p) => setWorker(i, p)}
            testId="vllm-ray-worker"
            onRemove={workers.length > 1 ? () => setWorkers((ws) => ws.filter((_, j) => j !== i)) : undefined}
          />
        ))}
        <div>
          <button
            type="button"
            className="btn btn-small"
            data-testid="vllm-ray-add"
            disabled={workers.length >= 63}
            onClick={() => setWorkers((ws) => [...ws, { host: '', gpus: 1 }])}
          >
            {t('vllm.ray.addWorker')}
          </button>
        </div>
      </div>
      {!modelPath.trim() && <p className="muted">{t('vllm.ray.needModel')}</p>}
      {params && cmds.error && <ErrorMessage error={cmds.error} compact testId="vllm-ray-error" />}
      {shown && (
        <div className="vllm-ray-commands" data-testid="vllm-ray-commands">
          <p className="muted small">
            {t('vllm.ray.parallel', { tp: shown.tensorParallelSize, pp: shown.pipelineParallelSize })}
          </p>
          <div className="vllm-label">{t('vllm.ray.headCmd')}</div>
          <CommandBox text={displayCommand(shown.head)} testId="vllm-ray-head-cmd" />
          {shown.workers.map((w, i) => (
            <div key={`${i}-${w.host}`}>
              <div className="vllm-label">{t('vllm.ray.workerCmd', { host: w.host })}</div>
              <CommandBox text={displayCommand(w.command)} testId="vllm-ray-worker-cmd" />
            </div>
          ))}
          <div className="vllm-label">{t('vllm.ray.serveCmd')}</div>
          <CommandBox text={displayCommand(shown.serve)} testId="vllm-ray-serve-cmd" />
        </div>
      )}
    </div>
  );
}

function NodeRow({
  node,
  hostLabel,
  onChange,
  onRemove,
  testId,
}: {
  node: RayNodeForm;
  hostLabel: string;
  onChange: (p: Partial<RayNodeForm>) => void;
  onRemove?: () => void;
  testId: string;
}) {
  const t = useKindsText();
  const bad = node.host.trim() !== '' && !validRayHost(node.host);
  return (
    <div className="vllm-ray-node" data-testid={testId}>
      <input
        className={bad ? 'input mono invalid' : 'input mono'}
        aria-label={hostLabel}
        placeholder={hostLabel}
        spellCheck={false}
        autoComplete="off"
        value={node.host}
        data-testid={`${testId}-host`}
        onChange={(e) => onChange({ host: e.target.value })}
      />
      <label className="vllm-ray-gpus">
        <span>{t('vllm.ray.gpus')}</span>
        <NumberField
          className="input input-narrow"
          testId={`${testId}-gpus`}
          value={node.gpus}
          min={1}
          max={64}
          onChange={(v) => v !== null && onChange({ gpus: v })}
        />
      </label>
      {onRemove && (
        <button type="button" className="btn btn-small" onClick={onRemove}>
          {t('vllm.ray.removeWorker')}
        </button>
      )}
    </div>
  );
}

function RayHeadBox({ install }: { install: string | null }) {
  const t = useKindsText();
  const status = useRayStatus();
  const { start, stop } = useRayHead();
  const s = status.data;
  const up = s?.state === 'running' || s?.state === 'starting';
  return (
    <div className="vllm-ray-head" data-testid="vllm-ray-status" data-state={s?.state ?? ''}>
      <span className="vllm-label">{t('vllm.ray.head')}</span>
      {s && <span className={s.state === 'running' ? 'chip chip-ok' : 'chip'}>{t(`vllm.ray.state.${s.state}`)}</span>}
      {s?.address && <span className="mono small">{t('vllm.ray.address', { address: s.address })}</span>}
      {up ? (
        <button
          type="button"
          className="btn btn-small"
          data-testid="vllm-ray-stop"
          disabled={stop.isPending}
          onClick={() => stop.mutate()}
        >
          {t('vllm.ray.stopHead')}
        </button>
      ) : (
        <button
          type="button"
          className="btn btn-small"
          data-testid="vllm-ray-start"
          disabled={start.isPending || !s}
          onClick={() => start.mutate(install ? { install } : {})}
        >
          {t('vllm.ray.startHead')}
        </button>
      )}
      {(s?.error ?? start.error ?? stop.error ?? status.error) && (
        <ErrorMessage error={s?.error ?? start.error ?? stop.error ?? status.error} compact testId="vllm-ray-error" />
      )}
    </div>
  );
}
