import type { Messages } from '../backend/messages';
import type { pageEn } from './page.en';

export const pageZhCN: Messages<typeof pageEn> = {
  title: '后端',
  intro:
    '运行模型的方式：内置的 llama.cpp、本机安装的 vLLM、其他地方的服务器（Ollama、LM Studio、vLLM、另一台 DeepLocal），或分布在多台机器上的 llama.cpp。',
  kind: { 'llama-cpp': 'llama.cpp', vllm: 'vLLM', external: '外部服务器' },
  sections: { vllm: '本机 vLLM', remote: '服务器', rpc: '多台机器' },
  now: {
    label: '当前运行',
    none: '当前没有运行任何模型。',
    llamaCpp: '内置的 llama.cpp——{{model}}',
    llamaCppRpc: '内置的 llama.cpp——{{model}}，使用 {{count}} 个 RPC 工作节点：{{workers}}',
    vllm: 'vLLM——{{model}}',
    external: '{{server}}（{{url}}）——{{model}}',
    state: {
      starting: '正在启动',
      loading: '正在加载',
      ready: '已就绪',
      stopping: '正在停止',
      stopped: '已停止',
      crashed: '因错误停止',
    },
  },
  badge: {
    rpc: '+{{count}} RPC',
    rpcTitle: '使用 RPC 工作节点：{{workers}}',
    externalTitle: '外部服务器 {{url}}',
  },
};
