import type { Messages } from '../backend/messages';
import type { pageEn } from './page.en';

export const pageZhCN: Messages<typeof pageEn> = {
  title: '后端',
  intro:
    '运行模型的方式：内置的 llama.cpp、本机安装的 vLLM、其他地方的服务器（Ollama、LM Studio、vLLM、另一台 DeepLocal），或分布在多台机器上的 llama.cpp。',
  kind: { 'llama-cpp': 'llama.cpp', vllm: 'vLLM', external: '外部服务器' },
  sections: { vllm: '本机 vLLM', remote: '服务器', rpc: '多台机器' },
};
