/**
 * The Backends page (`#/backends`, issue 15): what runs the models besides the built-in llama.cpp. Three sections,
 * each its own folder: external OpenAI-compatible servers (remote/), vLLM on this machine (vllm/), and llama.cpp
 * spread over several machines (rpc/). Whatever kind runs, chat, the API and the Monitor work the same; the line at
 * the top says which one runs now.
 */
import type { MouseEvent } from 'react';
import { useKindsText } from '../../lib/useKindsText';
import { RemoteSection } from './remote/RemoteSection';
import { RpcSection } from './rpc/RpcSection';
import { RunningNow } from './RunningNow';
import { VllmSection } from './vllm/VllmSection';
import './backends.css';

const SECTIONS = [
  { id: 'remote', Body: RemoteSection },
  { id: 'vllm', Body: VllmSection },
  { id: 'rpc', Body: RpcSection },
] as const;

export function BackendsPage() {
  const t = useKindsText();
  return (
    <div className="page backends-page" data-testid="backends-page">
      <header className="backends-head">
        <p className="muted">{t('page.intro')}</p>
        <RunningNow />
      </header>
      <nav className="backends-toc" aria-label={t('page.title')}>
        {SECTIONS.map(({ id }) => (
          <a key={id} href="#/backends" onClick={(e) => jump(e, `backends-${id}`)}>
            {t(`page.sections.${id}`)}
          </a>
        ))}
      </nav>
      {SECTIONS.map(({ id, Body }) => (
        <section
          key={id}
          id={`backends-${id}`}
          className="backends-section"
          data-testid={`backends-${id}`}
          aria-labelledby={`backends-${id}-h`}
        >
          <h2 id={`backends-${id}-h`}>{t(`page.sections.${id}`)}</h2>
          <Body />
        </section>
      ))}
    </div>
  );
}

/** In-page links without touching the hash (the hash is the page's URL). */
function jump(e: MouseEvent, id: string) {
  e.preventDefault();
  document.getElementById(id)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}
