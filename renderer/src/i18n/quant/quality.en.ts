/** The `quant` namespace, section quality (English). */
export const qualityEn = {
  title: 'Quality',
} as const;
