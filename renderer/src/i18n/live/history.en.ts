/** The `live` namespace, section history (issue 13). */
export const historyEn = {
  placeholder: 'placeholder',
} as const;
