/** SCAFFOLD: the vllm section of the Backends page; its owner replaces this. */
export function VllmSection() {
  return null;
}
