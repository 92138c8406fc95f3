/** The `kinds` namespace, section rpc (English). Owner: the rpc panel's author. */
export const rpcEn = {
  title: 'RPC workers',
} as const;
