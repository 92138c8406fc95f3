/** The `kinds` namespace, section page (English): the Backends page and the status bar's backend kind. */
export const pageEn = {
  title: 'Backends',
  intro:
    'What runs your models: the built-in llama.cpp, a vLLM installed on this machine, a server elsewhere (Ollama, LM Studio, vLLM, another DeepLocal), or llama.cpp spread over several machines.',
  kind: { 'llama-cpp': 'llama.cpp', vllm: 'vLLM', external: 'External server' },
  sections: { vllm: 'vLLM on this machine', remote: 'Servers', rpc: 'More than one machine' },
  now: {
    label: 'Running now',
    none: 'Nothing runs now.',
    llamaCpp: 'The built-in llama.cpp — {{model}}',
    llamaCppRpc: 'The built-in llama.cpp — {{model}}, with {{count}} RPC worker(s): {{workers}}',
    vllm: 'vLLM — {{model}}',
    external: '{{server}} ({{url}}) — {{model}}',
    state: {
      starting: 'starting',
      loading: 'loading',
      ready: 'ready',
      stopping: 'stopping',
      stopped: 'stopped',
      crashed: 'stopped with an error',
    },
  },
  badge: {
    rpc: '+{{count}} RPC',
    rpcTitle: 'Uses RPC workers: {{workers}}',
    externalTitle: 'External server {{url}}',
  },
} as const;
