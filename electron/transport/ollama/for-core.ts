/** The Ollama controller wired to a composed core (headless.ts, main.ts and the tests build it the same way). */
import type { Core } from '../../core/app';
import type { ApiServerState } from '../../shared/contract-api';
import { createOllamaController, type OllamaController } from './controller';

export function ollamaControllerFor(
  core: Core,
  opts: { forceEnabled?: boolean; onChange?: (s: ApiServerState) => void; host?: string; maxBodyBytes?: number } = {},
): OllamaController {
  return createOllamaController({
    server: {
      jit: core.jit,
      status: () => core.backend.status(),
      installed: () => core.models.library.list(),
      note: (m) => core.backend.note(m),
      endpoint: () => core.backend.endpoint(),
      capabilities: () => core.backend.capabilities(),
      ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    },
    settings: async () => (await core.settings.get()).api,
    watch: (listener) => core.bus.on('settings.changed', (s) => listener(s.api)),
    ...(opts.forceEnabled ? { forceEnabled: true } : {}),
    ...(opts.onChange ? { onChange: opts.onChange } : {}),
    ...(opts.host ? { host: opts.host } : {}),
    log: (m) => core.backend.note(m),
  });
}
