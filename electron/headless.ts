/**
 * Headless entry: the core behind the HTTP + WebSocket transport, serving the built UI, printing
 *   DeepLocal ready: http://127.0.0.1:PORT/?token=TOKEN
 * Usage: node dist/electron/headless.mjs [--model FILE.gguf] [--port N] [--host 127.0.0.1] [--data-dir DIR] [--token T]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCore } from './core/app';
import { defaultDataDir } from './core/paths';
import { AppError, formatError, pickLang, toErrorInfo } from './shared/errors';
import { startHttpTransport } from './transport/http';
import { installProcessGuards } from './transport/process-guards';

const here = path.dirname(fileURLToPath(import.meta.url));
// Bundled to dist/electron/headless.mjs; the repo root is two levels up (also when run from source by tests).
const repoRoot =
  [path.resolve(here, '..', '..'), path.resolve(here, '..')].find((d) => fs.existsSync(path.join(d, 'package.json'))) ??
  process.cwd();
const lang = pickLang(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG);

function fail(e: unknown): never {
  const info = toErrorInfo(e);
  console.error(`DeepLocal: ${formatError(lang, info.code, info.params)}`);
  if (info.details && info.code !== 'SERVER_PORT_IN_USE') console.error(info.details.split('\n').slice(-10).join('\n'));
  process.exit(1);
}

async function main() {
  // A stray rejection in a request path is logged; the server and its model stay up.
  installProcessGuards((e, kind) => {
    const info = toErrorInfo(e);
    console.error(`DeepLocal: ${formatError(lang, info.code, info.params)} (${kind})`);
    if (info.details) console.error(info.details);
  });
  const { values } = parseArgs({
    options: {
      model: { type: 'string', short: 'm' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new AppError('INVALID_PARAMS', { issues: `--port ${values.port}` });
  const token = values.token ?? process.env.DEEPLOCAL_TOKEN ?? randomBytes(24).toString('base64url');
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DEEPLOCAL_DATA_DIR ?? defaultDataDir());
  fs.mkdirSync(dataDir, { recursive: true });
  const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;

  let apiBase: string | null = null;
  const core = await createCore({
    dataDir,
    resourcesDirs: [process.env.DEEPLOCAL_RESOURCES ?? path.join(repoRoot, 'resources')],
    shell: 'browser',
    version,
    apiBaseUrl: () => apiBase,
  });
  const staticDir = path.join(repoRoot, 'dist', 'renderer');
  const http = await startHttpTransport({
    core,
    endpoint: () => core.backend.endpoint(),
    token,
    host: values.host ?? '127.0.0.1',
    port,
    staticDir: fs.existsSync(path.join(staticDir, 'index.html')) ? staticDir : null,
  }).catch(async (e) => {
    await core.dispose();
    if (e instanceof AppError && e.code === 'SERVER_PORT_IN_USE') throw new AppError('SERVER_PORT_IN_USE', { port });
    throw e;
  });
  apiBase = `${http.url}/v1`;
  // A second start on this data folder is refused with this address (never the token) in its message.
  await core.dataDirLock.setUrl(http.url);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.error(`DeepLocal: ${signal}, stopping`);
    await core.dispose();
    await http.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  console.log(`DeepLocal ready: ${http.url}/?token=${token}`);
  console.log(`OpenAI-compatible API: ${apiBase} (Authorization: Bearer ${token})`);

  if (values.model) {
    let lastPct = -1;
    const off = core.backend.onStatus((s) => {
      if (s.state === 'loading' && s.progress !== null) {
        const pct = Math.floor(s.progress * 100);
        if (pct !== lastPct && (pct % 10 === 0 || pct === 100))
          console.error(`Loading ${s.model?.name ?? ''}: ${pct}%`);
        lastPct = pct;
      }
    });
    try {
      await core.handlers['backend.start']({ modelPath: path.resolve(values.model) }, { transport: 'direct' });
      await core.backend.waitReady();
      console.log(`Model ready: ${core.backend.status().model?.name}`);
    } catch (e) {
      const info = toErrorInfo(e);
      // The server keeps running so the UI can show the error and load another model.
      console.error(`DeepLocal: ${formatError(lang, info.code, info.params)}`);
    } finally {
      off();
    }
  }
}

main().catch(fail);
