/**
 * Electron shell: lifecycle, the window and its guards, the native file dialog, and wiring the core to IPC.
 * All behaviour lives in electron/core; this file only adapts it to Electron.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  session,
  shell,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore, type Core } from '../core/app';
import { ollamaControllerFor } from '../transport/ollama/for-core';
import type { OllamaController } from '../transport/ollama/controller';
import { startLanController, type LanController, type LanState } from '../transport/lan/controller';
import type { Elevate, ElevatedResult } from '../core/power/power-service';
import { ipcSubscribeChannel } from '../shared/contract';
import { formatError, pickLang, toErrorInfo } from '../shared/errors';
import { registerIpc, type IpcSubscriber } from '../transport/ipc';
import { installProcessGuards } from '../transport/process-guards';
import { createAppUpdater } from './updater';
import { safeStorageKeychain } from './keychain';

const appRoot = app.getAppPath();
const rendererIndex = path.join(appRoot, 'dist', 'renderer', 'index.html');
// With the trailing slash, so a sibling folder such as dist/renderer-x does not pass as ours.
const rendererUrlPrefix = `${pathToFileURL(path.dirname(rendererIndex)).href}/`;
const preloadPath = path.join(appRoot, 'dist', 'electron', 'preload', 'preload.cjs');

let core: Core | null = null;
let ollama: OllamaController | null = null;
let lan: LanController | null = null;
let lanState: LanState | undefined;
// App updates (electron-updater): checked at start unless turned off in settings; the window shows "restart to update".
const appUpdater = createAppUpdater({
  currentVersion: app.getVersion(),
  isPackaged: app.isPackaged,
  resourcesPath: process.resourcesPath,
});
let mainWindow: BrowserWindow | null = null;

// A stray rejection or exception is logged (stderr, and Electron's log when launched from a terminal) instead of
// Electron's modal error dialog or an exit: the window, the backend and open conversations stay.
installProcessGuards((e, kind) => console.error(`DeepLocal: ${kind}:`, e));

// `npm start -- --data-dir DIR` (as headless takes it): the window then keeps its settings, models and lock there.
// Set before the single-instance lock, which is per userData folder.
const dataDirArg = dataDirFromArgv(process.argv);
if (dataDirArg) app.setPath('userData', path.resolve(dataDirArg));

function dataDirFromArgv(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir' && argv[i + 1]) return argv[i + 1]!;
    if (a.startsWith('--data-dir=')) return a.slice('--data-dir='.length) || null;
  }
  return null;
}

// Electron's lock is per userData folder, the one the core uses: a second window on it focuses the first and
// quits. A headless server or `cli pull` on the same folder is refused by the core's data folder lock (startFailed).
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.show();
      mainWindow.focus();
    } else if (core) {
      createWindow(); // macOS keeps running with no window: the second launch asks for one
    }
  });
  app.whenReady().then(start).catch(startFailed);
}

/** Says why in the UI language (DATA_DIR_LOCKED names the folder and the running instance) and exits non-zero. */
function startFailed(e: unknown) {
  const info = toErrorInfo(e);
  const text = formatError(pickLang(app.getLocale()), info.code, info.params);
  console.error(`DeepLocal: ${text}`);
  if (info.details) console.error(info.details);
  if (app.isReady()) dialog.showErrorBox('DeepLocal', text);
  app.exit(1);
}

/** Only our own renderer may call the contract. */
function isTrustedSender(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(rendererUrlPrefix);
}

function hardenContents(contents: WebContents) {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

async function start() {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));

  const resourcesDirs = [
    path.join(process.resourcesPath, 'resources'),
    process.resourcesPath,
    path.join(appRoot, 'resources'),
  ].filter((d) => fs.existsSync(d));
  const keychain = safeStorageKeychain();
  core = await createCore({
    dataDir: app.getPath('userData'),
    resourcesDirs,
    shell: 'electron',
    version: app.getVersion(),
    pickModelFile: async () => {
      const options = { properties: ['openFile' as const], filters: [{ name: 'GGUF', extensions: ['gguf'] }] };
      const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    ...(elevate ? { elevate } : {}),
    // Remote servers' API keys: the OS keychain where it really encrypts, else the core's 0600 file.
    ...(keychain ? { keychain } : {}),
    appUpdater,
    apiServers: () => ({ ...(ollama ? { ollama: () => ollama!.state() } : {}), lan: () => lanState }),
  });
  // The Ollama-compatible API (Settings → API; off by default).
  const started = core;
  ollama = ollamaControllerFor(started, { onChange: () => started.api.statusChanged() });
  void ollama.start().catch((e) => console.error('DeepLocal: Ollama API:', e));
  // LAN mode (Settings → API; off by default): HTTPS with named API keys on the chosen addresses.
  void startLanController({
    core: started,
    endpoint: () => started.backend.endpoint(),
    dataDir: app.getPath('userData'),
    onChange: (s) => {
      lanState = s;
      started.api.statusChanged();
    },
    log: (m) => console.error(`DeepLocal: LAN mode: ${m}`),
  })
    .then((c) => (lan = c))
    .catch((e) => console.error('DeepLocal: LAN mode:', e));

  registerIpc(core, {
    handle: (channel, fn) =>
      ipcMain.handle(channel, (event, params: unknown) => {
        if (!isTrustedSender(event)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'untrusted sender' } };
        return fn(params);
      }),
    onSubscription: (fn) =>
      ipcMain.on(ipcSubscribeChannel, (event, name: unknown, subscribed: unknown) => {
        if (isTrustedSender(event) && !event.sender.isDestroyed()) fn(subscriberOf(event.sender), name, subscribed);
      }),
  });

  createWindow();
  void appUpdater
    .start({ bus: core.bus, settings: core.settings })
    .catch((e) => console.error('DeepLocal: update:', e));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

/** A renderer as the IPC transport sees it: its subscriptions end when it crashes or closes (a new page says so itself). */
function subscriberOf(contents: WebContents): IpcSubscriber {
  return {
    id: contents.id,
    send: (channel, payload) => {
      if (!contents.isDestroyed()) contents.send(channel, payload);
    },
    onReset: (reset) => {
      contents.on('render-process-gone', () => reset(false));
      contents.once('destroyed', () => reset(true));
    },
  };
}

function createWindow() {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'DeepLocal',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  void mainWindow.loadFile(rendererIndex);
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !core) return;
  // Stop llama-server before exiting so no backend outlives the app.
  e.preventDefault();
  quitting = true;
  appUpdater.dispose();
  const c = core;
  void Promise.all([ollama?.close(), lan?.close()])
    .catch(() => undefined)
    .then(() => c.dispose())
    .finally(() => app.quit());
});

/**
 * nvidia-smi with administrator rights for power limits. Linux: pkexec (the desktop's polkit prompt; exit 126 when
 * dismissed, 127 when refused). Windows: a UAC-elevated process; it cannot hand its output back through a pipe,
 * so it writes to a temp file we read afterwards, and a declined prompt exits 1223 (ERROR_CANCELLED).
 * The core reads nvidia-smi's text either way, so the exit code only matters when there is no text.
 */
const elevate: Elevate | undefined =
  process.platform === 'linux' ? elevateLinux : process.platform === 'win32' ? elevateWindows : undefined;

function elevateLinux(command: string, args: string[]): Promise<ElevatedResult> {
  return new Promise((resolve) => {
    const child = spawn('pkexec', [command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (e) => resolve({ code: 127, stdout: '', stderr: `pkexec: ${e.message}` }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function elevateWindows(command: string, args: string[]): Promise<ElevatedResult> {
  const outFile = path.join(os.tmpdir(), `deeplocal-nvidia-smi-${process.pid}-${Date.now()}.txt`);
  const psQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  // cmd /c ""prog" args > "file" 2>&1": the outer quotes are cmd's own, the inner ones survive.
  const cmdLine = `/c ""${command}" ${args.join(' ')} > "${outFile}" 2>&1"`;
  const script =
    `try { $p = Start-Process -FilePath 'cmd.exe' -ArgumentList ${psQuote(cmdLine)} -Verb RunAs -Wait -PassThru -WindowStyle Hidden -ErrorAction Stop; exit $p.ExitCode } ` +
    `catch { [Console]::Error.WriteLine($_.Exception.Message); exit 1223 }`;
  return new Promise((resolve) => {
    execFile(
      'powershell.exe',
      ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', script],
      { windowsHide: true },
      (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        let text = '';
        try {
          text = fs.readFileSync(outFile, 'utf8');
          fs.rmSync(outFile, { force: true });
        } catch {
          /* the prompt was declined: no file */
        }
        resolve({ code, stdout: text, stderr: String(stderr) });
      },
    );
  });
}
