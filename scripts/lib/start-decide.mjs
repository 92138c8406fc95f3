// What `npm start` does about llama-server before it opens the app, decided without I/O (table-tested in
// start-decide.test.ts; scripts/lib/start-runtime.mjs gathers the facts and carries the steps out).
//
//   1. A runtime is already here (the data folder's, the app's bundled ones, a source build, a folder or the
//      override): start on it. On a machine that only has source builds, a GPU variant whose toolchain is complete
//      and that has not failed before is built in the background meanwhile (today's `npm start` built it first).
//   2. Nothing here: fetch the official llama.cpp build for this machine (`npm run cli -- runtime get auto`).
//   3. The release feed cannot be reached or the fetch fails: build from source. The CPU variant first, in the
//      foreground (the app needs something); a GPU variant only when its toolchain is complete, in the background,
//      the app starting on the CPU build meanwhile.
// A build that failed before is not retried (build-llama-server.mjs remembers it); one line says how to retry.

/**
 * @typedef {{ failedAt: string, headline: string }} Failure
 * @typedef {{
 *   skip: boolean,
 *   override: string | null,
 *   installed: { id: string, variant: string, source: string }[],
 *   fetch: null | { ok: true, id: string } | { ok: false, code: string, message: string },
 *   build: {
 *     wanted: string,
 *     toolchain: { complete: boolean, missing: string[] },
 *     wantedBuilt: boolean,
 *     wantedFailed: Failure | null,
 *     cpuFailed: Failure | null,
 *   },
 * }} StartState
 * @typedef {{
 *   action: 'run' | 'fetch' | 'build',
 *   foreground: string | null,
 *   background: string | null,
 *   lines: string[],
 * }} StartDecision
 */

export const retryCommand = (variant) => `npm run setup:backend -- --variant ${variant} --retry`;

const failedLine = (variant, f) =>
  `the ${variant} build failed on ${f.failedAt} (${f.headline}); not retrying on every start. To retry: ${retryCommand(variant)}`;

/**
 * The GPU variant to build in the background, or null, with the line that says why not when there is a reason
 * worth saying (an incomplete toolchain, an earlier failure).
 * @param {StartState['build']} b
 * @returns {{ variant: string | null, line: string | null }}
 */
function gpuBuild(b) {
  if (b.wanted === 'cpu' || b.wantedBuilt) return { variant: null, line: null };
  if (!b.toolchain.complete)
    return {
      variant: null,
      line: `not building the ${b.wanted} variant: its toolchain is incomplete (missing ${b.toolchain.missing.join(', ')})`,
    };
  if (b.wantedFailed) return { variant: null, line: failedLine(b.wanted, b.wantedFailed) };
  return { variant: b.wanted, line: null };
}

const backgroundLine = (variant, cpuHere) =>
  `building the ${variant} variant from source in the background${cpuHere ? '; the app starts on the CPU build meanwhile' : ''} (restart DeepLocal when it is done)`;

/** @param {StartState} s @returns {StartDecision} */
export function decideStart(s) {
  const run = (lines = [], background = null) => ({ action: 'run', foreground: null, background, lines });
  if (s.skip) return run();
  // The override (settings.llamaServerPath, DEEPLOCAL_LLAMA_SERVER) wins over every runtime, as in the app.
  if (s.override) return run();
  if (s.installed.length) {
    // Only source builds (a developer's machine): the GPU variant this machine wants is built meanwhile.
    if (!s.installed.every((r) => r.source === 'source')) return run();
    const gpu = gpuBuild(s.build);
    const cpuHere = s.installed.some((r) => r.variant === 'cpu');
    if (gpu.variant) return run([backgroundLine(gpu.variant, cpuHere)], gpu.variant);
    return run(gpu.line ? [gpu.line] : []);
  }
  if (s.fetch === null)
    return {
      action: 'fetch',
      foreground: null,
      background: null,
      lines: ['no llama.cpp runtime here yet; fetching the official build for this machine'],
    };
  if (s.fetch.ok) return run();
  const why = s.fetch.message.replace(/\.$/, '');
  const lines = [
    s.fetch.code === 'RELEASE_UNREACHABLE'
      ? `the llama.cpp releases cannot be reached; building llama-server from source instead (${why})`
      : `the official llama.cpp build could not be installed; building llama-server from source instead (${why})`,
  ];
  const gpu = gpuBuild(s.build);
  if (gpu.line) lines.push(gpu.line);
  if (s.build.cpuFailed) {
    lines.push(failedLine('cpu', s.build.cpuFailed));
    // Nothing to start on: the GPU build, if any, is all there is; it runs in the foreground.
    if (gpu.variant) return { action: 'build', foreground: gpu.variant, background: null, lines };
    lines.push('the app starts without llama-server; set its path in Settings or retry the build');
    return run(lines);
  }
  if (gpu.variant) lines.push(backgroundLine(gpu.variant, true));
  return { action: 'build', foreground: 'cpu', background: gpu.variant, lines };
}
