/** English strings of the 'heal' section of the `backend` namespace (useBackendText). */
export const healEn = {} as const;
