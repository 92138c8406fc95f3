/** The `live` namespace, section ollama (issue 13): Settings → Ollama-compatible API and just-in-time loading. */
export const ollamaEn = {
  title: 'Ollama-compatible API',
  hint: 'For editor plug-ins and chat apps that speak the Ollama API (Continue, Open WebUI, Obsidian, …): they list your installed models and chat with them.',
  noKey:
    'No key needed: those clients send none. Only programs on this computer can reach this port, and web pages only from the origins allowed below.',
  enable: 'Serve the Ollama-compatible API',
  port: 'Port',
  portHint: '11434 is where Ollama clients look. When it is taken (by Ollama itself, say), another port is used.',
  save: 'Save',
  off: 'Off.',
  listening: 'Listening.',
  fallback: 'Port {{port}} is taken, so another port is used this time: point your clients at the address below.',
  notListening: 'Not listening.',
  urlLabel: 'Address for your clients',
  origins: 'Allowed web origins',
  originsHint:
    'One per line, * as a wildcard (like OLLAMA_ORIGINS), e.g. chrome-extension://* or https://chat.example.com. Pages on localhost and desktop app webviews are always allowed.',
  jitTitle: 'Load models on request',
  jitEnable: 'A request naming an installed model that is not loaded loads it (with its saved load options)',
  jitHint:
    'Applies to this API and to the OpenAI-compatible one. One model at a time: loading another waits for the running replies, then replaces the loaded model.',
  jitIdle: 'Unload a model loaded on request after this many idle minutes (0 = never)',
  jitNow: '{{model}} was loaded on request; it unloads at {{time}} if unused.',
  jitNowStays: '{{model}} was loaded on request and stays loaded.',
} as const;
