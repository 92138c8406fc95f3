/**
 * Ollama's Origin allow-list (envconfig.AllowedOrigins): a browser page may call the API only from loopback hosts
 * (http/https, any port), the desktop/editor webview schemes, or an origin the user added (OLLAMA_ORIGINS; ours:
 * settings.api.ollamaOrigins). Patterns may hold `*` wildcards; `*` alone allows every origin. A request without
 * Origin (editor plug-ins, curl, other programs) is not a browser page and passes. Pure.
 */
const LOOPBACK = ['localhost', '127.0.0.1', '0.0.0.0'];

export const DEFAULT_ORIGINS: readonly string[] = [
  ...LOOPBACK.flatMap((h) => [`http://${h}`, `https://${h}`, `http://${h}:*`, `https://${h}:*`]),
  'app://*',
  'file://*',
  'tauri://*',
  'vscode-webview://*',
  'vscode-file://*',
];

function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(value);
}

/** True when a page from `origin` may call the API (undefined: no Origin header, not a browser page). */
export function originAllowed(origin: string | undefined, extra: readonly string[]): boolean {
  if (origin === undefined) return true;
  const o = origin.trim().toLowerCase();
  // An opaque origin ("null": sandboxed frames, some file:// pages) is refused unless the user allowed it.
  return [...extra.map((p) => p.trim().toLowerCase()), ...DEFAULT_ORIGINS].some((p) => p && globMatch(p, o));
}
