/**
 * Byte sizes for people, the same everywhere: the UI, the CLI and the core's error messages (DOWNLOAD_DISK_FULL's
 * sizes are formatted in the core and shown by the UI). Powers of 1024 labelled KB/MB/GB, as Windows Explorer shows
 * file sizes: the figures our users compare ours with.
 */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.50 KB"; 2 decimals below 10, 1 below 100, none above (or for bytes). `locale` picks the separators. */
export function formatBytes(bytes: number, locale = 'en'): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
  return `${bytes < 0 ? '-' : ''}${n} ${UNITS[i]}`;
}
