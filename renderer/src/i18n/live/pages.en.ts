/** The `live` namespace, section pages (issue 13). */
export const pagesEn = {
  placeholder: 'placeholder',
} as const;
