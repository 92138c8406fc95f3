import type { Messages } from '../backend/messages';
import type { rpcEn } from './rpc.en';

export const rpcZhCN: Messages<typeof rpcEn> = {
  title: 'RPC 工作节点',
};
