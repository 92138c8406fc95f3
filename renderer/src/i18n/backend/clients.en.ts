/** English strings of the 'clients' section of the `backend` namespace (useBackendText). */
export const clientsEn = {} as const;
