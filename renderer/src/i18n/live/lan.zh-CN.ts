import type { Messages } from '../backend/messages';
import type { lanEn } from './lan.en';

export const lanZhCN: Messages<typeof lanEn> = {
  title: '局域网访问',
  hint: '让局域网内的其他电脑通过 HTTPS 并凭 API 密钥使用 OpenAI 兼容 API（/v1）和 /metrics。应用界面本身仍只在本机可用。',
  enable: '在局域网上提供 API',
  off: '已关闭。',
  listening: '正在监听。',
  notListening: '未在监听。',
  addresses: '监听地址',
  addressesHint: '所有网络接口，或仅勾选的接口。修改后局域网访问会重新启动。',
  allInterfaces: '所有网络接口（0.0.0.0）',
  noInterfaces: '除回环接口外未找到网络接口。',
  port: '端口',
  save: '保存',
  urls: '供客户端使用的地址',
  fingerprint: '证书指纹（SHA-256）',
  fingerprintHint:
    '证书为自签名，客户端无法通过证书颁发机构验证它：请在客户端中固定此指纹（或在核对指纹后信任该证书一次）。',
  cors: '允许的网页来源（CORS）',
  corsHint:
    '这些来源上的网页应用可以在浏览器中调用 API。每行一个，例如 https://chat.example.com，可用 * 作通配符。其他来源的网页会被拒绝。',
  keysTitle: 'API 密钥',
  keysHint:
    '每个程序或每个人使用各自的密钥；吊销其中一个不影响其他密钥。请以“Authorization: Bearer 密钥”发送。密钥在本机的 /v1 和 /metrics 上同样有效。',
  keyName: '名称',
  keyNamePlaceholder: '例如：笔记本、Grafana、Open WebUI',
  create: '创建密钥',
  createdTitle: '新密钥“{{name}}”',
  createdWarning: '请立即复制：它只显示这一次。DeepLocal 只保存它的指纹。',
  done: '完成',
  noKeys: '还没有 API 密钥。',
  colName: '名称',
  colKey: '密钥',
  colCreated: '创建时间',
  colLastUsed: '最近使用',
  never: '从未',
  revoke: '吊销',
  confirmRevoke: '吊销“{{name}}”？使用它的程序将立即无法访问。',
  cancel: '取消',
};
