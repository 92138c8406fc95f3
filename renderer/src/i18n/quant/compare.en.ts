/** The `quant` namespace, section compare (English). */
export const compareEn = {
  title: 'Compare',
} as const;
