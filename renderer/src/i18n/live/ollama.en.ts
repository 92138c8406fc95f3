/** The `live` namespace, section ollama (issue 13). */
export const ollamaEn = {
  placeholder: 'placeholder',
} as const;
