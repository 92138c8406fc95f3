// What the emulated hub APIs list for a repo, as plain data (the routes in server.mjs send it):
// the Hugging Face tree (directories first, paged by a Link header) and the ModelScope file list.
import path from 'node:path';
import { hex } from './repos.mjs';

/** GET /api/models/{id}/tree/{rev}: { status, body, headers } for one page. */
export function hfTreeResponse(repo, rev, url, pageSize) {
  if (rev !== repo.revision && rev !== repo.commit) {
    return {
      status: 404,
      body: { error: `Revision Not Found for url: ${url.pathname}` },
      headers: { 'x-error-code': 'RevisionNotFound' },
    };
  }
  const entries = [];
  const dirs = new Set();
  for (const f of repo.files.values()) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const d of [...dirs].sort()) entries.push({ type: 'directory', oid: hex(`dir:${d}`, 40), size: 0, path: d });
  for (const f of [...repo.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    entries.push({
      type: 'file',
      oid: f.gitOid,
      size: f.size,
      path: f.path,
      ...(f.lfs ? { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } } : {}),
    });
  }
  const recursive = url.searchParams.get('recursive') === 'true' || url.searchParams.get('recursive') === '1';
  const list = recursive ? entries : entries.filter((e) => !e.path.includes('/'));
  const cursor = Number(url.searchParams.get('cursor') ?? 0) || 0;
  const page = list.slice(cursor, cursor + pageSize);
  const headers = {};
  if (cursor + pageSize < list.length) {
    const next = new URL(url);
    next.searchParams.set('cursor', String(cursor + pageSize));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: page, headers };
}

/** GET /api/v1/models/{id}/repo/files: the body's Data.Files. */
export function msFileList(repo) {
  return [...repo.files.values()].map((f) => ({
    Name: path.basename(f.path),
    Path: f.path,
    Size: f.size,
    Sha256: f.sha256,
    Type: 'blob',
    Revision: repo.commit,
  }));
}
