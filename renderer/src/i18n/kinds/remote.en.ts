/** The `kinds` namespace, section remote (English). Owner: the remote panel's author. */
export const remoteEn = {
  title: 'Servers',
} as const;
