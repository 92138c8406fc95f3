/** The `live` namespace, section lan (issue 13). */
export const lanEn = {
  placeholder: 'placeholder',
} as const;
