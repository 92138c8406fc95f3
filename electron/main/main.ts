/**
 * Electron shell: lifecycle, the window and its guards, the native file dialog, and wiring the core to IPC.
 * All behaviour lives in electron/core; this file only adapts it to Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore, type Core } from '../core/app';
import { registerIpc } from '../transport/ipc';

const appRoot = app.getAppPath();
const rendererIndex = path.join(appRoot, 'dist', 'renderer', 'index.html');
const rendererUrlPrefix = pathToFileURL(path.dirname(rendererIndex)).href;
const preloadPath = path.join(appRoot, 'dist', 'electron', 'preload', 'preload.cjs');

let core: Core | null = null;
let mainWindow: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.whenReady().then(start, (e: unknown) => {
    console.error('DeepLocal failed to start:', e);
    app.exit(1);
  });
}

/** Only our own renderer may call the contract. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
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

  const resourcesDirs = [path.join(process.resourcesPath, 'resources'), process.resourcesPath, path.join(appRoot, 'resources')].filter((d) => fs.existsSync(d));
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
  });

  registerIpc(core, {
    handle: (channel, fn) =>
      ipcMain.handle(channel, (event, params: unknown) => {
        if (!isTrustedSender(event)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'untrusted sender' } };
        return fn(params);
      }),
    send: (channel, payload) => {
      for (const w of BrowserWindow.getAllWindows()) if (!w.isDestroyed()) w.webContents.send(channel, payload);
    },
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
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
  void core.dispose().finally(() => app.quit());
});
