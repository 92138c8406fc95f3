/**
 * Headless entry: the core behind the HTTP + WebSocket transport, serving the built UI, printing
 *   DeepLocal ready: http://127.0.0.1:PORT/?token=TOKEN
 * Usage: node dist/electron/headless.mjs [--model FILE.gguf] [--port N] [--host 127.0.0.1] [--data-dir DIR] [--token T]
 *        [--ollama-api]   (the Ollama-compatible API on its own loopback port for this run, as Settings → API would)
 *        --rpc-worker [--host IFACE] [--port N]   only this machine as a llama.cpp RPC worker (ggml-rpc-server of the
 *                         active runtime; no UI, no HTTP); Ctrl-C stops it. Host and port default to Settings.
 * The port and token are kept in <data dir>/server.json across starts (core/settings/server-address.ts); --port,
 * --token and DEEPLOCAL_TOKEN override them for one run. A busy saved port gives another port for this run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCore } from './core/app';
import { defaultDataDir } from './core/paths';
import { busyPortLine } from './core/settings/address-plan';
import { ServerAddress, type ServerControl } from './core/settings/server-address';
import { AppError, formatError, pickLang, toErrorInfo } from './shared/errors';
import { startHttpTransport, type HttpTransport } from './transport/http';
import { installProcessGuards } from './transport/process-guards';
import { ollamaControllerFor } from './transport/ollama/for-core';
import type { OllamaController } from './transport/ollama/controller';
import { startLanController, type LanController, type LanState } from './transport/lan/controller';

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
      'ollama-api': { type: 'boolean' },
      'rpc-worker': { type: 'boolean' },
    },
    strict: true,
  });
  const argPort = values.port === undefined ? undefined : Number(values.port);
  if (argPort !== undefined && (!Number.isInteger(argPort) || argPort < 0 || argPort > 65535))
    throw new AppError('INVALID_PARAMS', { issues: `--port ${values.port}` });
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DEEPLOCAL_DATA_DIR ?? defaultDataDir());
  fs.mkdirSync(dataDir, { recursive: true });
  const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
  if (values['rpc-worker']) return rpcWorker({ dataDir, version, host: values.host, port: argPort });

  let apiBase: string | null = null;
  let control: ServerControl | null = null;
  let ollama: OllamaController | null = null;
  let lan: LanController | null = null;
  let lanState: LanState | undefined;
  // OpenAI-compatible requests from both listeners (loopback and LAN), for /metrics.
  const proxyCount = { total: 0, inFlight: 0 };
  const core = await createCore({
    dataDir,
    resourcesDirs: [process.env.DEEPLOCAL_RESOURCES ?? path.join(repoRoot, 'resources')],
    shell: 'browser',
    version,
    apiBaseUrl: () => apiBase,
    server: () => control,
    apiServers: () => ({ ...(ollama ? { ollama: () => ollama!.state() } : {}), lan: () => lanState }),
  });
  // Read after the data folder's lock is ours: a second start on the folder must not rewrite it.
  const address = await ServerAddress.open(
    dataDir,
    {
      ...(argPort !== undefined ? { argPort } : {}),
      ...(values.token !== undefined ? { argToken: values.token } : {}),
      ...(process.env.DEEPLOCAL_TOKEN ? { envToken: process.env.DEEPLOCAL_TOKEN } : {}),
    },
    (m) => console.error(`DeepLocal: ${m}`),
  ).catch(async (e) => {
    await core.dispose();
    throw e;
  });
  const { plan } = address;
  const staticDir = path.join(repoRoot, 'dist', 'renderer');
  const listen = (port: number) =>
    startHttpTransport({
      core,
      endpoint: () => core.backend.endpoint(),
      token: plan.token,
      host: values.host ?? '127.0.0.1',
      port,
      staticDir: fs.existsSync(path.join(staticDir, 'index.html')) ? staticDir : null,
      apiKeys: core.api.keys,
      proxyCount,
    });
  const isBusy = (e: unknown) => e instanceof AppError && e.code === 'SERVER_PORT_IN_USE';
  let http: HttpTransport;
  try {
    http = await listen(plan.port).catch(async (e: unknown) => {
      if (!plan.fallbackWhenBusy || !isBusy(e)) throw e;
      const other = await listen(0);
      console.error(`DeepLocal: ${busyPortLine(plan.port, other.port)}`);
      return other;
    });
  } catch (e) {
    await core.dispose();
    if (isBusy(e)) throw new AppError('SERVER_PORT_IN_USE', { port: plan.port });
    throw e;
  }
  await address.listened(http.port).catch(async (e: unknown) => {
    await core.dispose();
    await http.close();
    throw e;
  });
  control = {
    async newToken() {
      const next = await address.newToken();
      http.setToken(next);
      return { url: `${http.url}/?token=${next}` };
    },
  };
  apiBase = `${http.url}/v1`;
  // A second start on this data folder is refused with this address (never the token) in its message.
  await core.dataDirLock.setUrl(http.url);

  // The Ollama-compatible API: on when Settings → API says so, or for this run with --ollama-api.
  ollama = ollamaControllerFor(core, {
    forceEnabled: values['ollama-api'] === true,
    onChange: () => core.api.statusChanged(),
  });
  await ollama.start();

  // LAN mode (Settings → API; off by default): HTTPS with named API keys on the chosen addresses.
  lan = await startLanController({
    core,
    endpoint: () => core.backend.endpoint(),
    dataDir,
    proxyCount,
    onChange: (s) => {
      lanState = s;
      core.api.statusChanged();
    },
    log: (m) => console.error(`DeepLocal: ${m}`),
  });
  if (lanState?.listening)
    console.log(`LAN API (HTTPS, API keys): ${lanState.urls.join(' ')} (certificate SHA-256 ${lanState.fingerprint})`);
  if (lanState?.error)
    console.error(`DeepLocal: LAN mode: ${formatError(lang, lanState.error.code, lanState.error.params)}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.error(`DeepLocal: ${signal}, stopping`);
    await ollama?.close();
    await lan?.close();
    await core.dispose();
    await http.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  console.log(`DeepLocal ready: ${http.url}/?token=${plan.token}`);
  console.log(`OpenAI-compatible API: ${apiBase} (Authorization: Bearer ${plan.token})`);
  const ollamaState = ollama.state();
  if (ollamaState.listening)
    console.log(
      `Ollama-compatible API: ${ollamaState.urls[0]}${ollamaState.portFallback ? ' (the port in Settings is taken)' : ''}`,
    );
  else if (ollamaState.error)
    console.error(`DeepLocal: Ollama API: ${formatError(lang, ollamaState.error.code, ollamaState.error.params)}`);

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

/** `--rpc-worker`: the core for its runtime and data folder lock, and only the worker; no HTTP, no UI. */
async function rpcWorker(o: { dataDir: string; version: string; host: string | undefined; port: number | undefined }) {
  const core = await createCore({
    dataDir: o.dataDir,
    resourcesDirs: [process.env.DEEPLOCAL_RESOURCES ?? path.join(repoRoot, 'resources')],
    shell: 'browser',
    version: o.version,
    // Only the worker: no model is loaded (whatever "reload the last model" says), and the saved worker mode is not
    // started beside the one this command starts.
    env: { ...process.env, DEEPLOCAL_RELOAD_LAST_MODEL: '0' },
    rpc: { noWorkerAutostart: true },
  });
  let closing = false;
  const stop = async (code: number) => {
    if (closing) return;
    closing = true;
    await core.dispose();
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(sig, () => {
      console.error(`DeepLocal: ${sig}, stopping the RPC worker`);
      void stop(0);
    });
  const mode = await core.rpc
    .startWorker({ ...(o.host !== undefined ? { host: o.host } : {}), ...(o.port ? { port: o.port } : {}) })
    .catch(async (e: unknown) => {
      await core.dispose();
      throw e;
    });
  core.bus.on('rpc.workerMode', (m) => {
    if (m.state !== 'failed' || closing) return;
    console.error(`DeepLocal: ${formatError(lang, m.error!.code, m.error!.params)}`);
    void stop(1);
  });
  console.log(`DeepLocal RPC worker ready (ggml-rpc-server pid ${mode.pid}), listening on ${mode.host}:${mode.port}`);
  console.log('Add this machine on the main machine (Backends → RPC workers) with one of these addresses:');
  for (const a of mode.addresses) console.log(`  ${a}`);
  console.log(
    'Warning: an RPC worker has no authentication and no encryption. Anyone who can reach this port can use this',
  );
  console.log("machine's memory and processors and read the model data sent to it: run it only on a trusted network.");
  if (!mode.exposed)
    console.log(
      `It listens on ${mode.host} only, so only this machine can use it; --host 0.0.0.0 offers it to the network.`,
    );
  console.log('Press Ctrl-C to stop it.');
}

main().catch(fail);
