/** The `live` namespace, section thread (issue 13). */
export const threadEn = {
  placeholder: 'placeholder',
} as const;
