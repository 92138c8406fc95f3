#!/usr/bin/env node
// `npm test`: type check (all targets), lint, unit tests, build, integration tests (real llama-server), Playwright e2e
// (Chromium against the headless app). Runs every step, then prints one summary line with the test counts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'deeplocal-test-'));
const only = process.argv.slice(2);

const npx = (args) => ['npx', ['--no-install', ...args]];
const steps = [
  { name: 'typecheck', cmd: ['npm', ['run', '-s', 'typecheck']] },
  { name: 'lint', cmd: ['npm', ['run', '-s', 'lint']] },
  {
    name: 'unit',
    cmd: npx([
      'vitest',
      'run',
      '--project',
      'unit',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${path.join(reports, 'unit.json')}`,
    ]),
    report: 'unit.json',
    kind: 'vitest',
  },
  { name: 'build', cmd: ['node', ['scripts/build.mjs']] },
  {
    name: 'integration',
    cmd: npx([
      'vitest',
      'run',
      '--project',
      'integration',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${path.join(reports, 'integration.json')}`,
    ]),
    report: 'integration.json',
    kind: 'vitest',
  },
  {
    name: 'e2e',
    cmd: npx(['playwright', 'test', '-c', 'e2e/playwright.config.ts']),
    report: 'e2e.json',
    kind: 'playwright',
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(reports, 'e2e.json') },
  },
].filter((s) => only.length === 0 || only.includes(s.name));

function readReport(step) {
  const file = step.report && path.join(reports, step.report);
  if (!file || !fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function counts(step, json) {
  if (!json) return null;
  if (step.kind === 'vitest')
    return {
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      skipped: json.numPendingTests + json.numTodoTests,
    };
  const s = json.stats ?? {};
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0), skipped: s.skipped ?? 0 };
}

// The names of failed tests, so that the summary (often all a CI log keeps) says which ones to look at.
function failedNames(step, json) {
  if (!json) return [];
  if (step.kind === 'vitest')
    return (json.testResults ?? []).flatMap((file) =>
      (file.assertionResults ?? [])
        .filter((t) => t.status === 'failed')
        .map(
          (t) => `${path.relative(root, file.name)} › ${t.fullName ?? t.title}: ${firstLine(t.failureMessages?.[0])}`,
        ),
    );
  const out = [];
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests ?? [])
        if (test.status === 'unexpected' || test.status === 'flaky')
          out.push(
            `${file ?? suite.file} › ${spec.title} (${test.status}): ${firstLine(test.results?.at(-1)?.error?.message)}`,
          );
    for (const child of suite.suites ?? []) walk(child, file ?? suite.file);
  };
  for (const suite of json.suites ?? []) walk(suite);
  return out;
}

// Terminal colour codes (ESC [ … m) in the reporters' messages.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function firstLine(text) {
  const line =
    String(text ?? '')
      .replace(ANSI, '')
      .split('\n')
      .find((l) => l.trim()) ?? '';
  return line.trim().slice(0, 300);
}

const results = [];
for (const step of steps) {
  const started = Date.now();
  console.log(`\n=== ${step.name} ===`);
  const [cmd, args] = step.cmd;
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...(step.env ?? {}), FORCE_COLOR: process.env.CI ? '0' : '1' },
  });
  const ok = r.status === 0;
  const json = readReport(step);
  results.push({
    step: step.name,
    ok,
    seconds: Math.round((Date.now() - started) / 1000),
    counts: counts(step, json),
    failures: (() => {
      try {
        return failedNames(step, json);
      } catch (e) {
        return [`(could not list the failed tests: ${e.message})`];
      }
    })(),
  });
}

console.log('\n=== summary ===');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of results) {
  const c = r.counts;
  if (c) {
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
  }
  // A step that failed without reporting counts (type errors, lint, a crashed runner) still counts as a failure.
  if (!r.ok && (!c || c.failed === 0)) failed += 1;
  console.log(
    `${r.ok ? 'ok  ' : 'FAIL'} ${r.step.padEnd(12)} ${String(r.seconds).padStart(4)}s${c ? `  ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}` : ''}`,
  );
}
const failures = results.flatMap((r) => r.failures.map((f) => `  ${r.step}: ${f}`));
if (failures.length > 0) console.log(`\nfailed:\n${failures.join('\n')}`);
fs.rmSync(reports, { recursive: true, force: true });
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
