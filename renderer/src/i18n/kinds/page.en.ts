/** The `kinds` namespace, section page (English): the Backends page and the status bar's backend kind. */
export const pageEn = {
  title: 'Backends',
  intro:
    'What runs your models: the built-in llama.cpp, a vLLM installed on this machine, a server elsewhere (Ollama, LM Studio, vLLM, another DeepLocal), or llama.cpp spread over several machines.',
  kind: { 'llama-cpp': 'llama.cpp', vllm: 'vLLM', external: 'External server' },
  sections: { vllm: 'vLLM on this machine', remote: 'Servers', rpc: 'More than one machine' },
} as const;
