/** The `kinds` namespace, section vllm (English). Owner: the vllm panel's author. */
export const vllmEn = {
  title: 'vLLM',
} as const;
