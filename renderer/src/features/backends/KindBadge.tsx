/**
 * The status bar's kind badge (test id `status-kind`): "vLLM", the external server's name, or "+N RPC" when the
 * built-in llama.cpp uses RPC workers; nothing for the built-in llama.cpp alone (see kind-view.ts).
 */
import type { BackendStatus } from '@shared/schemas';
import { useKindsText } from '../../lib/useKindsText';
import { kindBadge } from './kind-view';
import './backends.css';

export function KindBadge({ status }: { status: BackendStatus | undefined }) {
  const t = useKindsText();
  const badge = kindBadge(status);
  if (!badge) return null;
  const [text, title] =
    badge.kind === 'vllm'
      ? [t('page.kind.vllm'), t('page.kind.vllm')]
      : badge.kind === 'external'
        ? [badge.name, t('page.badge.externalTitle', { url: badge.url })]
        : [
            t('page.badge.rpc', { count: badge.workers.length }),
            t('page.badge.rpcTitle', { workers: badge.workers.join(', ') }),
          ];
  return (
    <>
      <span className="status-sep" aria-hidden="true" />
      <span className="status-kind" data-testid="status-kind" data-kind={badge.kind} title={title}>
        {text}
      </span>
    </>
  );
}
