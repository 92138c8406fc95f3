/** The `live` namespace, section render (issue 13). */
export const renderEn = {
  placeholder: 'placeholder',
} as const;
