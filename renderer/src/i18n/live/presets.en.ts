/** The `live` namespace, section presets (issue 13). */
export const presetsEn = {
  placeholder: 'placeholder',
} as const;
