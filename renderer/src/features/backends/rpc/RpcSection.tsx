/** SCAFFOLD: the rpc section of the Backends page; its owner replaces this. */
export function RpcSection() {
  return null;
}
