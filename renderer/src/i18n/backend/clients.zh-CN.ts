import type { clientsEn } from './clients.en';
import type { Messages } from './messages';

/** Chinese strings of the 'clients' section; same keys and {{placeholders}} as clients.en.ts (checked by backend.test.ts). */
export const clientsZhCN: Messages<typeof clientsEn> = {
  label: '并行请求数',
  auto: '自动（{{n}}）',
  custom: '指定数量',
  hintAuto:
    '同时处理 {{n}} 个请求——聊天与通过 API 接入的应用并行——每 2,048 个上下文 token 一个，最多 8 个。它们共享整个上下文；更多的请求会排队等候。',
  hintCustom: '每个槽位平分上下文长度。',
};
