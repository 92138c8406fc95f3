/**
 * The guided install panel, shown while no vLLM is usable: the core's steps for this machine (VllmDetection.guide),
 * each translated by its id (a step a newer core adds reads "Step n"), each command in a box to copy. We never
 * install Python packages ourselves; the user runs these and presses "Check again".
 */
import type { VllmInstallGuide } from '@shared/backends';
import { CopyButton } from '../../../components/CopyButton';
import { useKindsText } from '../../../lib/useKindsText';
import { knownGuideStep } from './vllm-view';

export function VllmGuide({ guide }: { guide: VllmInstallGuide }) {
  const t = useKindsText();
  return (
    <div className="vllm-block vllm-guide" data-testid="vllm-guide" data-platform={guide.platform}>
      <h3 className="vllm-h3">{t('vllm.guide.title')}</h3>
      <p className="vllm-guide-note">{t('vllm.guide.intro')}</p>
      <p className="muted">{t(`vllm.guide.platform.${guide.platform}`)}</p>
      <ol className="vllm-steps">
        {guide.steps.map((s, i) => {
          const id = knownGuideStep(s.id);
          const n = i + 1;
          return (
            <li key={`${i}-${s.id}`} className="vllm-step" data-step={s.id}>
              <div className="vllm-step-title">
                <span className="vllm-step-n">{n}</span>
                {id ? t(`vllm.guide.steps.${id}.title`) : t('vllm.guide.generic.title', { n })}
              </div>
              <p className="muted small">{id ? t(`vllm.guide.steps.${id}.text`) : t('vllm.guide.generic.text')}</p>
              {s.commands.map((c, j) => (
                <CommandBox key={j} text={c} testId="vllm-guide-cmd" />
              ))}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** One command in a monospace box with its copy button; the test id is on the command's text itself. */
export function CommandBox({ text, testId }: { text: string; testId?: string }) {
  return (
    <div className="vllm-cmd">
      <code className="mono" {...(testId ? { 'data-testid': testId } : {})}>
        {text}
      </code>
      <CopyButton text={text} />
    </div>
  );
}
