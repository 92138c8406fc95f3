// ESLint rule enforcing the layering table of docs/ARCHITECTURE (like VS Code's code-layering rule):
// each folder names the runtime its files may run in, and an import that crosses a layer the wrong way is reported.
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** Layer of a file (absolute path) or null when the rule does not apply. */
export function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel.startsWith('electron/shared/')) return 'shared';
  if (rel.startsWith('electron/core/')) return 'core';
  if (rel.startsWith('electron/transport/')) return 'transport';
  if (rel.startsWith('electron/main/')) return 'main';
  if (rel.startsWith('electron/preload/')) return 'preload';
  if (rel.startsWith('electron/test/')) return 'test';
  if (rel === 'electron/headless.ts' || rel === 'electron/cli.ts') return 'entry';
  // Build configuration (vite.config.ts) runs in Node at build time, not in the renderer.
  if (rel.startsWith('renderer/') && !/^renderer\/[^/]+\.config\.ts$/.test(rel)) return 'renderer';
  return null;
}

/** Which layers each layer may import, and which npm packages it may not. */
export const RULES = {
  shared: { layers: ['shared'], packages: ['zod'], node: false },
  core: { layers: ['shared', 'core'], forbid: ['electron'], node: true },
  transport: { layers: ['shared', 'core', 'transport'], forbid: ['electron'], node: true },
  entry: { layers: ['shared', 'core', 'transport'], forbid: ['electron'], node: true },
  main: { layers: ['shared', 'core', 'transport', 'main'], node: true },
  preload: { layers: ['shared', 'preload'], packages: ['electron'], node: false },
  renderer: { layers: ['shared', 'renderer'], forbid: ['electron'], node: false },
  // Tests drive the real preload with Electron's IPC replaced in memory (no Electron binary runs here).
  test: { layers: ['shared', 'core', 'transport', 'preload', 'test'], forbid: ['electron'], node: true },
};

/**
 * Inside the core: which feature folders each folder may import (besides itself, `util/` and the shared contract).
 * Features stay apart; `compose/` and the root files (app.ts, paths.ts) wire them together and may import any of them.
 * Tests are exempt: an integration test stands the real feature up with whatever it needs (settings, compose).
 * docs/ARCHITECTURE.md shows this table; change both together.
 */
export const CORE_RULES = {
  util: [],
  lock: [],
  settings: [],
  'gpu-tools': [],
  alerts: [],
  backends: ['lock'],
  conversations: [],
  chat: ['backends', 'conversations'],
  api: ['backends', 'models'],
  hardware: ['gpu-tools', 'backends'],
  telemetry: ['gpu-tools', 'alerts', 'backends'],
  power: ['gpu-tools', 'alerts', 'telemetry'],
  downloads: [],
  models: ['downloads'],
  runtimes: ['downloads', 'gpu-tools', 'backends'],
  tuning: ['models', 'backends'],
  quant: ['models', 'backends', 'downloads'],
  remote: ['backends'],
  // RPC worker mode reuses vLLM's process-group watchdog (backends/vllm/process-tree.ts).
  rpc: ['backends'],
  compose: '*',
};

/** The core folder of a core file ('' for app.ts and other files at the core's root). */
export function coreFolderOf(file) {
  const rel = path.relative(path.join(root, 'electron/core'), file).split(path.sep);
  return rel.length > 1 ? rel[0] : '';
}

/** Null when a core file may import another core file, else why not. */
export function coreImportProblem(file, target) {
  const from = coreFolderOf(file);
  const to = coreFolderOf(target);
  if (from === '' || from === to || to === 'util' || isTestFile(file)) return null;
  const allowed = CORE_RULES[from];
  if (allowed === undefined) return `core/${from}/ is not in the core's import table`;
  if (to === '') return `core/${from}/ may not import the core's root, which composes the features`;
  if (allowed === '*' || allowed.includes(to)) return null;
  return `core/${from}/ may not import core/${to}/`;
}

const isTestFile = (f) => /\.(int\.)?test\.tsx?$/.test(f);

/** The renderer's alias for the contract (renderer/tsconfig.json, vite.config.ts, vitest.config.ts). */
const SHARED_ALIAS = '@shared/';

/** The file an import names, for a relative path or the `@shared/` alias; null for packages and built-ins. */
export function resolveImport(file, spec) {
  if (spec.startsWith('.')) return path.resolve(path.dirname(file), spec);
  if (spec.startsWith(SHARED_ALIAS)) return path.join(root, 'electron/shared', spec.slice(SHARED_ALIAS.length));
  return null;
}

export const codeLayering = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Imports must follow the layering table (shared → core → transport → main; renderer sees only shared).',
    },
    schema: [],
    messages: {
      layer: '{{from}} code may not import {{to}} code ({{spec}}).',
      coreFolder: '{{why}} ({{spec}}); see the core import table in docs/ARCHITECTURE.md.',
      pkg: '{{from}} code may not import the package "{{spec}}".',
      node: '{{from}} code may not import Node built-ins ({{spec}}).',
      alias: "renderer code imports the contract as '@shared/…', not by a relative path ({{spec}}).",
    },
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from) return {};
    const rule = RULES[from];
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      const target = resolveImport(file, spec);
      if (target) {
        const to = layerOf(target);
        if (!to) return;
        const allowed = rule.layers.includes(to) || (to === 'test' && isTestFile(file) && rule.node);
        if (!allowed) context.report({ node, messageId: 'layer', data: { from, to, spec } });
        else if (from === 'core' && to === 'core') {
          const why = coreImportProblem(file, target);
          if (why) context.report({ node, messageId: 'coreFolder', data: { why, spec } });
        }
        // One spelling, so a file can move without its imports changing and a search finds every use.
        else if (from === 'renderer' && to === 'shared' && spec.startsWith('.'))
          context.report({ node, messageId: 'alias', data: { spec } });
        return;
      }
      const isNode = spec.startsWith('node:');
      if (isNode) {
        if (!rule.node) context.report({ node, messageId: 'node', data: { from, spec } });
        return;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      // Tests may use the test runner and a WebSocket client wherever they live.
      if (isTestFile(file) && ['vitest', 'ws'].includes(pkg)) return;
      if (rule.packages && !rule.packages.includes(pkg))
        context.report({ node, messageId: 'pkg', data: { from, spec } });
      if (rule.forbid?.includes(pkg)) context.report({ node, messageId: 'pkg', data: { from, spec } });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

export default { rules: { 'code-layering': codeLayering } };
