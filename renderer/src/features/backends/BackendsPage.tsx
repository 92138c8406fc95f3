/**
 * The Backends page (`#/backends`, issue 15): what runs the models besides the built-in llama.cpp. Three sections,
 * each its own folder: vLLM on this machine (vllm/), external OpenAI-compatible servers (remote/), and llama.cpp
 * spread over several machines (rpc/). Whatever kind runs, chat, the API and the Monitor work the same.
 */
import { useKindsText } from '../../lib/useKindsText';
import { RemoteSection } from './remote/RemoteSection';
import { RpcSection } from './rpc/RpcSection';
import { VllmSection } from './vllm/VllmSection';
import './backends.css';

export function BackendsPage() {
  const t = useKindsText();
  return (
    <div className="page backends-page" data-testid="backends-page">
      <h1>{t('page.title')}</h1>
      <p className="muted">{t('page.intro')}</p>
      <section className="backends-section" data-testid="backends-remote" aria-labelledby="backends-remote-h">
        <h2 id="backends-remote-h">{t('page.sections.remote')}</h2>
        <RemoteSection />
      </section>
      <section className="backends-section" data-testid="backends-vllm" aria-labelledby="backends-vllm-h">
        <h2 id="backends-vllm-h">{t('page.sections.vllm')}</h2>
        <VllmSection />
      </section>
      <section className="backends-section" data-testid="backends-rpc" aria-labelledby="backends-rpc-h">
        <h2 id="backends-rpc-h">{t('page.sections.rpc')}</h2>
        <RpcSection />
      </section>
    </div>
  );
}
