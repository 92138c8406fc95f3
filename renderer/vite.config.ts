import react from '@vitejs/plugin-react';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;

/**
 * The CSP in index.html is the production one. Vite's dev server needs an inline preamble (React Refresh) and
 * its own HMR socket, so only `vite serve` gets a relaxed copy; builds keep the strict policy untouched.
 */
const devCsp = (): Plugin => ({
  name: 'deeplocal-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html
      .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
      .replace(/connect-src ([^;"]*)/, 'connect-src $1 ws: http://localhost:* http://127.0.0.1:*'),
});

export default defineConfig({
  root,
  // Relative asset URLs work both from file:// (Electron) and from http://127.0.0.1:PORT/ (headless).
  base: './',
  plugins: [react(), devCsp()],
  // `@shared/…` is the contract in electron/shared (renderer/tsconfig.json has the same path for the type checker).
  resolve: { alias: { '@shared': path.resolve(root, '../electron/shared') } },
  build: {
    outDir: path.resolve(root, '../dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    // Maps would triple the packaged size; DEEPLOCAL_SOURCEMAP=1 turns them on for debugging.
    sourcemap: process.env.DEEPLOCAL_SOURCEMAP === '1',
    chunkSizeWarningLimit: 2000,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
