#!/usr/bin/env node
// Conversation search over a large store (issue 13: 10,000 conversations / 200,000 messages, median ≤ 50 ms).
//
// The app's own store (electron/core/conversations, bundled here with esbuild) in a temp data folder: 10,000
// conversations of 20 messages each, mixed English and Chinese text (some conversations all Chinese, some mixed, most
// English; replies longer than questions), written in one transaction. Then ~50 varied queries (common and rare
// words, phrases, 2-character Chinese and ASCII terms that cannot use the trigram index, misses), each timed through
// repo.search (limit 50, what the UI asks) after one warm-up round. Reported in the same run: a naive full scan
// (LIKE '%q%' over every message) for the same queries, as the reference the index is measured against, and the
// time to reopen the store at this size, which every start pays.
//   node scripts/bench/search.mjs [--conversations 10000] [--messages 20] [--rounds 3] [--json]
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '10000' },
    messages: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    // Keep the generated store in this folder and reuse it on the next run (to compare query changes quickly).
    keep: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const CONVERSATIONS = Number(values.conversations);
const PER_CONVERSATION = Number(values.messages);
const ROUNDS = Number(values.rounds);
const TARGET_MS = 50;
const LIMIT = 50;

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};

/** The store's modules as one ES module (node-sqlite3-wasm stays external, resolved from the repo). */
async function loadStore() {
  const out = path.join(root, 'dist', 'bench', 'conversation-store.mjs');
  await build({
    absWorkingDir: root,
    stdin: {
      contents: "export { openConversationStore } from './startup'; export { newId } from './store';",
      resolveDir: path.join(root, 'electron/core/conversations'),
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return import(pathToFileURL(out).href);
}

// A small deterministic generator, so that every run searches the same text.
let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const EN = `the a of to and in is it that for you with on as be this are can use your we if not or from by an at
  function memory model token context error handling install server request response database index query cache
  thread process file folder path build compile test deploy python rust javascript typescript react component state
  hook render async await promise stream buffer socket network latency throughput gpu cpu vram quantization layer
  weights inference prompt system user assistant reply question answer explain example because however therefore
  first second then finally simple complex performance benchmark measure result value variable loop array string
  object class method interface type schema migration transaction rollback commit branch merge conflict review
  kubernetes docker container image volume config setting option default value window page scroll click button
  recipe travel weather budget schedule meeting email letter essay summary translate grammar history science music`
  .split(/\s+/)
  .filter(Boolean);
const ZH = `我们 你 他们 这个 那个 可以 需要 如何 为什么 因为 所以 但是 如果 然后 最后 首先 其次 问题 答案 解释 例子
  模型 数据 训练 推理 显存 内存 上下文 提示词 系统 用户 助手 回复 机器学习 深度学习 神经网络 人工智能 自然语言处理
  数据库 索引 查询 缓存 线程 进程 文件 目录 编译 测试 部署 服务器 请求 响应 错误 处理 性能 基准 测量 结果 变量
  循环 数组 字符串 对象 函数 接口 类型 迁移 事务 回滚 提交 分支 合并 冲突 代码 审查 容器 镜像 配置 设置 选项
  天气 旅行 预算 日程 会议 邮件 文章 摘要 翻译 语法 历史 科学 音乐 菜谱 周末 计划 学习 工作 生活 健康 运动`
  .split(/\s+/)
  .filter(Boolean);

function sentence(lang) {
  const n = 6 + Math.floor(rand() * 14);
  if (lang === 'zh') return `${Array.from({ length: n }, () => pick(ZH)).join('')}。`;
  const words = Array.from({ length: n }, () => pick(EN));
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return `${words.join(' ')}.`;
}

function text(lang, sentences) {
  return Array.from({ length: sentences }, () => sentence(lang === 'mixed' ? (rand() < 0.5 ? 'zh' : 'en') : lang)).join(
    ' ',
  );
}

function generate(newId) {
  const now = Date.now();
  const out = [];
  let chars = 0;
  for (let c = 0; c < CONVERSATIONS; c++) {
    const r = rand();
    const lang = r < 0.25 ? 'zh' : r < 0.35 ? 'mixed' : 'en';
    const created = now - Math.floor(rand() * 365 * 86_400_000);
    const messages = [];
    let parentId = null;
    for (let i = 0; i < PER_CONVERSATION; i++) {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      const content = text(lang, role === 'user' ? 1 + Math.floor(rand() * 2) : 2 + Math.floor(rand() * 5));
      chars += content.length;
      const id = newId();
      messages.push({
        id,
        parentId,
        role,
        content,
        reasoning: '',
        attachments: [],
        createdAt: created + i * 60_000,
        status: 'done',
        finishReason: role === 'assistant' ? 'stop' : null,
        timings: null,
        error: null,
        reasoningMs: null,
        model: role === 'assistant' ? 'bench.gguf' : null,
      });
      parentId = id;
    }
    out.push({
      id: newId(),
      title: sentence(lang).slice(0, 40),
      titleAuto: true,
      pinned: false,
      systemPrompt: null,
      presetId: null,
      leafId: parentId,
      model: 'bench.gguf',
      createdAt: created,
      updatedAt: created + PER_CONVERSATION * 60_000,
      messages,
    });
  }
  return { conversations: out, chars };
}

const QUERIES = [
  // common English words and phrases
  'function',
  'memory',
  'model',
  'error',
  'the',
  'database',
  'react',
  'gpu',
  'python',
  'performance',
  'error handling',
  'context window',
  'token stream',
  'async await',
  'rollback commit',
  'Kubernetes',
  'DOCKER',
  'quantization layer',
  'benchmark result',
  'translate grammar',
  // substrings
  'quant',
  'bench',
  'ernet',
  'compil',
  'migrat',
  // Chinese (3+ characters: trigram index)
  '机器学习',
  '深度学习',
  '神经网络',
  '人工智能',
  '上下文',
  '自然语言处理',
  '数据库',
  '服务器',
  '提示词',
  '性能 基准',
  // Chinese and ASCII of 2 characters (scanned)
  '模型',
  '数据',
  '显存',
  '周末',
  '菜谱',
  'js',
  'go',
  'db',
  // misses
  'zzqxv',
  'nonexistentword',
  '不存在的词语',
  'xyzzy plugh',
  // mixed
  'gpu 显存',
  'python 学习',
];

async function main() {
  const { openConversationStore, newId } = await loadStore();
  const dir = values.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-search-'));
  const reuse = values.keep !== undefined && fs.existsSync(path.join(dir, 'conversations.db'));
  try {
    let t = performance.now();
    const { conversations, chars } = generate(newId);
    const genMs = performance.now() - t;
    let { repo } = openConversationStore({ dataDir: dir, log: () => undefined });
    t = performance.now();
    if (!reuse) repo.insertMany(conversations);
    const insertMs = performance.now() - t;
    repo.close();
    t = performance.now();
    ({ repo } = openConversationStore({ dataDir: dir, log: () => undefined }));
    const reopenMs = performance.now() - t;
    const dbBytes = fs.statSync(path.join(dir, 'conversations.db')).size;

    const times = [];
    const scanTimes = [];
    const hitCounts = {};
    const perQuery = Object.fromEntries(QUERIES.map((q) => [q, []]));
    for (const q of QUERIES) repo.search(q, LIMIT); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const q of QUERIES) {
        const s = performance.now();
        const hits = repo.search(q, LIMIT);
        times.push(performance.now() - s);
        perQuery[q].push(performance.now() - s);
        hitCounts[q] = hits.length;
      }
    }
    // What every change costs at this size: the list sent after it (kept in memory), and a streaming reply's
    // partial write (one UPDATE, no index work).
    const listTimes = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      repo.list();
      listTimes.push(performance.now() - s);
    }
    const probe = repo.create({ title: 'probe' });
    repo.addMessage(probe.id, { ...conversations[0].messages[0], id: 'q', parentId: null });
    repo.addMessage(probe.id, {
      ...conversations[0].messages[1],
      id: 'r',
      parentId: 'q',
      status: 'streaming',
      content: '',
    });
    const writeTimes = [];
    for (let i = 1; i <= 100; i++) {
      const s = performance.now();
      repo.updateMessage(probe.id, 'r', { content: 'streamed text '.repeat(i * 4) });
      writeTimes.push(performance.now() - s);
    }
    const s0 = performance.now();
    repo.updateMessage(probe.id, 'r', { status: 'done', finishReason: 'stop' });
    const finishMs = performance.now() - s0;
    repo.delete(probe.id);
    // The reference: a naive full scan for the same queries (one round).
    const likeStmt = repo.db.prepare(
      "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.deleted_at IS NULL AND m.content LIKE ? ESCAPE '\\' ORDER BY m.seq DESC LIMIT ?",
    );
    for (const q of QUERIES) {
      const s = performance.now();
      likeStmt.all([`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, LIMIT]);
      scanTimes.push(performance.now() - s);
    }
    likeStmt.finalize();
    repo.close();

    const result = {
      conversations: CONVERSATIONS,
      messages: CONVERSATIONS * PER_CONVERSATION,
      textMB: chars / 1e6,
      dbMB: dbBytes / 1e6,
      generateMs: genMs,
      insertMs,
      reopenMs,
      queries: QUERIES.length,
      rounds: ROUNDS,
      medianMs: quantile(times, 0.5),
      p95Ms: quantile(times, 0.95),
      maxMs: Math.max(...times),
      listFirstMs: listTimes[0],
      listMedianMs: quantile(listTimes.slice(1), 0.5),
      partialWriteMedianMs: quantile(writeTimes, 0.5),
      partialWriteP95Ms: quantile(writeTimes, 0.95),
      replyEndMs: finishMs,
      scanMedianMs: quantile(scanTimes, 0.5),
      scanP95Ms: quantile(scanTimes, 0.95),
      hitCounts,
      slowest: Object.entries(perQuery)
        .map(([q, ts]) => [q, quantile(ts, 0.5)])
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5),
      targetMs: TARGET_MS,
    };
    result.pass = result.medianMs <= TARGET_MS;
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      const f = (x) => x.toFixed(1).padStart(8);
      console.log(
        `search over ${result.conversations} conversations / ${result.messages} messages (${result.textMB.toFixed(1)} MB of text, database ${result.dbMB.toFixed(1)} MB)`,
      );
      console.log(`  written in one transaction ${f(insertMs / 1000)} s; reopened in ${f(reopenMs)} ms`);
      console.log(`  ${QUERIES.length} queries × ${ROUNDS} rounds, limit ${LIMIT}:`);
      console.log(
        `    store search   median ${f(result.medianMs)} ms   p95 ${f(result.p95Ms)} ms   max ${f(result.maxMs)} ms`,
      );
      console.log(
        `    naive LIKE scan median ${f(result.scanMedianMs)} ms   p95 ${f(result.scanP95Ms)} ms (reference)`,
      );
      // A common word ends the naive scan at once; the index pays off on rare words and misses: compare the p95s.
      console.log(`    ratio store/scan (p95)  ${(result.p95Ms / result.scanP95Ms).toFixed(3)}`);
      console.log(`    slowest: ${result.slowest.map(([q, ms]) => `"${q}" ${ms.toFixed(1)} ms`).join(', ')}`);
      console.log(
        `  list of ${result.conversations}: first read ${f(result.listFirstMs)} ms, then (kept in memory, after each change) ${f(result.listMedianMs)} ms; streaming partial write median ${f(result.partialWriteMedianMs)} ms, p95 ${f(result.partialWriteP95Ms)} ms; reply end (indexed) ${f(result.replyEndMs)} ms`,
      );
      console.log(`  target median ≤ ${TARGET_MS} ms: ${result.pass ? 'PASS' : 'FAIL'}`);
    }
    if (!result.pass) process.exitCode = 1;
  } finally {
    if (values.keep === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
