/** SCAFFOLD: the remote section of the Backends page; its owner replaces this. */
export function RemoteSection() {
  return null;
}
