// What the hub emulator holds: repos and their files (on disk or in memory), with the ids a real hub would give
// them (commit, git blob oid, sha256), derived from names so they are stable across runs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const hex = (s, n = 64) => createHash('sha256').update(s).digest('hex').slice(0, n);

async function sha256OfFile(file) {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) h.update(chunk);
  return h.digest('hex');
}

/** git's object id of a blob, as the Hugging Face tree lists it for files not in LFS: sha1("blob <size>\0" + data). */
async function gitBlobOid(size, buf, file) {
  const h = createHash('sha1').update(`blob ${size}\0`);
  if (buf) h.update(buf);
  else for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) h.update(chunk);
  return h.digest('hex');
}

/**
 * Builds a repo from addRepo's spec, hashing files on disk that come without a sha256. Files larger than
 * `lfsThreshold`, and .gguf files, are LFS unless the spec says otherwise.
 * Returns { id, revision, msRevision, commit, hubs: Set, gated, files: Map<path, File> }.
 */
export async function buildRepo(
  { id, revision = 'main', msRevision = 'master', hubs = ['huggingface', 'modelscope'], gated = false, files = [] },
  { lfsThreshold },
) {
  const repo = {
    id,
    revision,
    msRevision,
    commit: hex(`commit:${id}`, 40),
    hubs: new Set(hubs),
    gated,
    files: new Map(),
  };
  for (const f of files) {
    const lfs = (size) => f.lfs ?? (size >= lfsThreshold || /\.gguf$/i.test(f.path));
    let size;
    let sha256 = f.sha256;
    let read;
    if (Buffer.isBuffer(f.data)) {
      const buf = f.data;
      size = buf.length;
      sha256 ??= createHash('sha256').update(buf).digest('hex');
      read = (start, end) => buf.subarray(start, end + 1);
    } else {
      const abs = path.resolve(f.source);
      size = fs.statSync(abs).size;
      sha256 ??= await sha256OfFile(abs);
      read = null;
      f.abs = abs;
    }
    repo.files.set(f.path, {
      path: f.path,
      size,
      sha256,
      abs: f.abs ?? null,
      buf: Buffer.isBuffer(f.data) ? f.data : null,
      read,
      lfs: lfs(size),
      // LFS files: the pointer's id (not checked by anyone); plain files: the real blob id clients can verify.
      gitOid: lfs(size)
        ? hex(`blob:${id}:${f.path}`, 40)
        : (f.gitOid ?? (await gitBlobOid(size, Buffer.isBuffer(f.data) ? f.data : null, f.abs))),
    });
  }
  return repo;
}
