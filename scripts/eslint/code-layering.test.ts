import path from 'node:path';
import { Linter, type ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import local from './code-layering.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const linter = new Linter({ configType: 'flat' });
const config = [
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { local: local as ESLint.Plugin },
    rules: { 'local/code-layering': 'error' as const },
  },
];

/** The rule's messages for one import line in a file at `rel` (nothing is read from disk). */
const lint = (rel: string, spec: string) =>
  linter
    .verify(`import { x } from '${spec}';\nexport const y = x;\n`, config, { filename: path.join(root, rel) })
    .map((m) => m.message);

describe('code-layering: the renderer and the shared contract', () => {
  it.each([
    // [file, import, what the rule says, why]
    [
      'renderer/src/features/chat/ChatPage.tsx',
      '@shared/contract',
      [],
      'the alias is how the renderer reaches the contract',
    ],
    ['renderer/src/App.tsx', '@shared/schemas', [], 'at any depth'],
    [
      'renderer/src/features/chat/ChatPage.tsx',
      '@shared/../core/app',
      ['renderer code may not import core code (@shared/../core/app).'],
      'the alias is resolved, not trusted by its name',
    ],
    [
      'renderer/src/features/chat/ChatPage.tsx',
      '../../../../electron/core/app',
      ['renderer code may not import core code (../../../../electron/core/app).'],
      'relative imports are still checked',
    ],
    [
      'renderer/src/features/chat/ChatPage.tsx',
      '../../../../electron/shared/contract',
      [
        "renderer code imports the contract as '@shared/…', not by a relative path (../../../../electron/shared/contract).",
      ],
      'one spelling for the contract',
    ],
    ['renderer/src/features/chat/store.ts', '../../stores/ui', [], 'renderer to renderer, relative as before'],
    ['electron/core/app.ts', '../shared/contract', [], 'other layers keep their relative paths'],
    [
      'electron/shared/contract.ts',
      '@shared/../core/app',
      ['shared code may not import core code (@shared/../core/app).'],
      'the alias resolves the same wherever it is used',
    ],
  ])('%s imports %s', (file, spec, want) => {
    expect(lint(file, spec)).toEqual(want);
  });
});

describe('code-layering: core folders follow the import table', () => {
  const why = (w: string, spec: string) => [`${w} (${spec}); see the core import table in docs/ARCHITECTURE.md.`];
  it.each([
    // [file, import, what the rule says, why]
    ['electron/core/power/power-service.ts', '../telemetry/sampler', [], 'power reads telemetry samples: in the table'],
    [
      'electron/core/telemetry/sampler.ts',
      '../power/power-service',
      why('core/telemetry/ may not import core/power/', '../power/power-service'),
      'the reverse is a cycle',
    ],
    [
      'electron/core/downloads/manager.ts',
      '../models/gguf',
      why('core/downloads/ may not import core/models/', '../models/gguf'),
      'the GGUF check is injected',
    ],
    [
      'electron/core/models/remote-gguf.ts',
      '../downloads/hubs',
      [],
      'models reads remote headers over the hub HTTP layer',
    ],
    ['electron/core/hardware/probe.ts', '../util/run-tool', [], 'util is for everyone'],
    [
      'electron/core/chat/chat-service.ts',
      '../app',
      why("core/chat/ may not import the core's root, which composes the features", '../app'),
      'features never reach up to the composition',
    ],
    ['electron/core/compose/models.ts', '../downloads/manager', [], 'compose wires any feature'],
    ['electron/core/app.ts', './telemetry/sampler', [], 'so does the root'],
    ['electron/core/downloads/hostile-hub.int.test.ts', '../settings/store', [], 'tests stand the real feature up'],
    ['electron/core/newfolder/x.ts', '../util/lines', [], 'util is allowed even from a folder not in the table'],
    [
      'electron/core/newfolder/x.ts',
      '../models/fit',
      why("core/newfolder/ is not in the core's import table", '../models/fit'),
      'a new folder must be added to the table first',
    ],
  ])('%s imports %s', (file, spec, want) => {
    expect(lint(file, spec)).toEqual(want);
  });
});
