/**
 * Seeded fuzz of the HTTP transport: random request lines, methods, targets (% escapes, //, absolute-form, unicode,
 * very long), header sets (Host, Origin, Content-Length, chunking, Expect, Upgrade) and bodies, each on its own raw
 * socket, against the real transport in front of the real core. Every case must be answered: never a 500, never a
 * connection dropped without a word, never a hang; /health answers after every batch. Node's own parser refuses
 * some cases with a bare 400 (or 431) and closes: that is an answer too, and the summary says which.
 * Rerun one failure with FUZZ_SEED=<seed printed> (and FUZZ_CASES to change how many).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCore, type Core } from '../core/app';
import { pathWithoutGpuTools, tmpDir } from '../test/helpers';
import { startHttpTransport, type HttpTransport } from './http';
import { forEachConcurrently, generateCase, mulberry32, type FuzzCase } from '../test/http-fuzz-cases';
import { finalStatus, rawExchange } from '../test/raw-http';

const SEED = Number(process.env.FUZZ_SEED ?? 20260902);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const BATCH = 150;
const CONCURRENCY = 12;
const LIMIT = 64 * 1024;

const resourcesDir = inject('resourcesDir');
const token = 'fuzz-token-abcdefghijklmnopqrstuvwx';
let core: Core;
let server: HttpTransport;
let dataDir: string;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  dataDir = tmpDir('dl-fuzz-');
  const staticDir = path.join(dataDir, 'ui');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'export {};');
  core = await createCore({
    dataDir,
    resourcesDirs: [resourcesDir],
    shell: 'browser',
    version: 'test',
    env: { ...process.env, PATH: pathWithoutGpuTools() },
  });
  server = await startHttpTransport({
    core,
    endpoint: () => core.backend.endpoint(),
    token,
    staticDir,
    maxBodyBytes: LIMIT,
    onInternalError: (e) => internalErrors.push(e),
  });
});

afterAll(async () => {
  await core?.dispose();
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * ours: an answer from our handlers (a success, or an error with its JSON code); node: Node's own refusal before
 * our handler runs (its parser's bare 400/431/413, 400 for HTTP/1.1 without Host, 417 for an unknown Expect).
 */
type Outcome =
  { kind: 'ours' | 'node'; status: number; code: string | null } | { kind: 'dropped' | 'hung'; status: 0; code: null };

async function run(c: FuzzCase): Promise<Outcome> {
  const parts = c.bytes.replaceAll('PORT', String(server.port)).replaceAll('TOKEN', token).split('\u0000SPLIT\u0000');
  const { text, hung } = await rawExchange(server.port, parts, { method: c.method, end: c.incomplete });
  const status = finalStatus(text);
  if (status === null)
    return hung ? { kind: 'hung', status: 0, code: null } : { kind: 'dropped', status: 0, code: null };
  const code = /^\{"error":\{"code":"([A-Z_]+)"/m.exec(text.slice(text.indexOf('\r\n\r\n') + 4))?.[1] ?? null;
  // Our answers carry our security headers (a HEAD answer has no body, so no code); Node's own do not.
  const ours = status < 400 || code !== null || /\r\nx-content-type-options: nosniff\r\n/i.test(text);
  return { kind: ours ? 'ours' : 'node', status, code };
}

async function health(): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${server.port}/health`)).status;
  } catch {
    return 0;
  }
}

function problem(c: FuzzCase, o: Outcome): string | null {
  if (o.kind === 'dropped') return 'connection dropped without an answer';
  if (o.kind === 'hung') return 'no answer and no close within 5 s';
  if (o.status === 500) return `500 ${o.code}`;
  // The only 5xx a request can cause here: the OpenAI API with no model loaded (a HEAD answer has no body to say so).
  if (
    o.status >= 500 &&
    !(o.status === 503 && (o.code === 'BACKEND_NOT_READY' || (c.method === 'HEAD' && o.code === null)))
  )
    return `${o.status} ${o.code}`;
  return null;
}

describe('HTTP transport fuzz', () => {
  it(
    `${CASES} random requests (seed ${SEED}) are all answered, none with a 500, and the server keeps serving`,
    { timeout: 180_000 },
    async () => {
      const rand = mulberry32(SEED);
      const failures: string[] = [];
      const tally = new Map<string, { ours: number; node: number }>();
      const statuses = new Map<number, number>();
      const kinds = { ours: 0, node: 0 };
      const started = Date.now();
      for (let done = 0; done < CASES; done += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, CASES - done) }, (_, i) => ({
          index: done + i,
          c: generateCase(rand),
        }));
        await forEachConcurrently(batch, CONCURRENCY, async ({ index, c }) => {
          const o = await run(c);
          statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
          if (o.kind === 'ours' || o.kind === 'node') {
            kinds[o.kind]++;
            for (const tag of c.tags) {
              const t = tally.get(tag) ?? { ours: 0, node: 0 };
              t[o.kind]++;
              tally.set(tag, t);
            }
          }
          const why = problem(c, o);
          if (why) failures.push(`#${index} ${why}: ${JSON.stringify(c.bytes.slice(0, 400))} tags=${c.tags.join(',')}`);
        });
        const h = await health();
        if (h !== 200) failures.push(`/health answered ${h} after case #${done + batch.length - 1}`);
        if (failures.length > 20) break;
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      // What Node refused itself (its parser, a missing Host, an unknown Expect), by feature: for the record.
      const nodeTags = [...tally]
        .filter(([, t]) => t.node > 0)
        .map(([tag, t]) => `${tag} ${t.node}/${t.node + t.ours}`);
      console.log(
        `fuzz seed ${SEED}: ${CASES} cases in ${seconds} s, ${kinds.ours} answered by our handlers, ${kinds.node} refused by Node itself; statuses ${JSON.stringify(Object.fromEntries(statuses))}; refused by Node itself, by tag: ${nodeTags.join(', ')}`,
      );
      expect(failures, `seed ${SEED} (rerun with FUZZ_SEED=${SEED}):\n${failures.slice(0, 20).join('\n')}`).toEqual([]);
      expect(internalErrors).toEqual([]);
      expect(await health()).toBe(200);
    },
  );
});
