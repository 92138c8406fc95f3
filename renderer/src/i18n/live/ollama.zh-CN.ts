import type { Messages } from '../backend/messages';
import type { ollamaEn } from './ollama.en';

export const ollamaZhCN: Messages<typeof ollamaEn> = {
  title: 'Ollama 兼容 API',
  hint: '供支持 Ollama API 的编辑器插件和聊天应用使用（Continue、Open WebUI、Obsidian 等）：它们可以列出已安装的模型并与之对话。',
  noKey: '无需密钥：这些客户端不会发送密钥。只有本机上的程序能访问此端口，网页只能来自下方允许的来源。',
  enable: '提供 Ollama 兼容 API',
  port: '端口',
  portHint: 'Ollama 客户端默认使用 11434。若该端口被占用（例如 Ollama 本身正在运行），将改用其他端口。',
  save: '保存',
  off: '已关闭。',
  listening: '正在监听。',
  fallback: '端口 {{port}} 已被占用，本次改用其他端口：请让客户端连接下方地址。',
  notListening: '未在监听。',
  urlLabel: '客户端使用的地址',
  origins: '允许的网页来源',
  originsHint:
    '每行一个，可用 * 通配（同 OLLAMA_ORIGINS），例如 chrome-extension://* 或 https://chat.example.com。localhost 上的页面和桌面应用的 webview 始终允许。',
  jitTitle: '按需加载模型',
  jitEnable: '请求指定了已安装但未加载的模型时，自动加载它（使用其保存的加载选项）',
  jitHint:
    '适用于此 API 和 OpenAI 兼容 API。一次只加载一个模型：加载另一个模型会先等待正在进行的回复结束，再替换当前模型。',
  jitIdle: '按需加载的模型空闲多少分钟后卸载（0 = 从不）',
  jitNow: '{{model}} 是按需加载的；若无人使用，将于 {{time}} 卸载。',
  jitNowStays: '{{model}} 是按需加载的，将保持加载。',
};
