/**
 * The endpoints one file can come from, in order of preference, all serving the same SHA-256. A download moves to the
 * next one when the current one fails (repeatedly, or for good: 404, auth, wrong size); alternates are discovered
 * lazily and only accepted when the hub reports the same hash and size, so the bytes go on into the same partial file.
 */
import type { AppError } from '../../shared/errors';
import type { EndpointInfo } from '../../shared/models';
import { downloadUrl, listRepoFiles, type HubHttp } from './hubs';
import type { Candidate } from './resolve';

export interface DownloadSource {
  endpoint: EndpointInfo;
  url: string;
}

export class SourcePool {
  private list: DownloadSource[];
  private index = 0;
  private moreLoaded = false;
  private loading: Promise<void> | null = null;
  readonly failures: { source: DownloadSource; error: AppError | null; reason: string }[] = [];

  constructor(
    initial: DownloadSource[],
    /** Further sources, checked (same sha256 and size) by the caller; asked for once, when the first ones run out. */
    private readonly more: (() => Promise<DownloadSource[]>) | null = null,
    private readonly onSwitch: (s: DownloadSource) => void = () => undefined,
  ) {
    this.list = [...initial];
  }

  current(): DownloadSource | null {
    return this.list[this.index] ?? null;
  }

  all(): readonly DownloadSource[] {
    return this.list;
  }

  private async loadMore(): Promise<void> {
    if (this.moreLoaded || !this.more) return;
    this.loading ??= this.more()
      .then((extra) => {
        for (const s of extra) if (!this.list.some((x) => x.url === s.url)) this.list.push(s);
      })
      .catch(() => undefined)
      .finally(() => {
        this.moreLoaded = true;
      });
    await this.loading;
  }

  /**
   * Moves on from `from` if it is still the current source. Returns the source to use now: the next one, or
   * `from` itself when there is no other and `final` is false (keep retrying), or null when `final` (it is unusable).
   */
  async switchFrom(
    from: DownloadSource,
    reason: string,
    error: AppError | null = null,
    final = false,
  ): Promise<DownloadSource | null> {
    if (this.current() !== from) return this.current();
    this.failures.push({ source: from, error, reason });
    if (this.index + 1 >= this.list.length) await this.loadMore();
    if (this.current() !== from) return this.current();
    if (this.index + 1 < this.list.length) {
      this.index++;
      const next = this.list[this.index]!;
      this.onSwitch(next);
      return next;
    }
    if (final) {
      this.index = this.list.length;
      return null;
    }
    return from;
  }
}

/**
 * The sources of one file of a job: the first candidate's URL, then (asked for only when that one fails) the other
 * candidates whose own listing has a file with the same SHA-256 and size.
 */
export function sourcesForFile(
  candidates: readonly Candidate[],
  index: number,
  f: { path: string; sha256: string; sizeBytes: number },
  http: HubHttp,
  log: (m: string) => void,
  onSwitch: (s: DownloadSource) => void,
): SourcePool {
  const primary = candidates[0];
  const initial: DownloadSource[] = primary
    ? [
        {
          endpoint: primary.endpoint,
          url: downloadUrl(primary.endpoint, primary.repo, primary.revision, primary.paths[index] ?? f.path),
        },
      ]
    : [];
  const more = async () => {
    const out: DownloadSource[] = [];
    for (const c of candidates.slice(1)) {
      try {
        const { files } = await listRepoFiles(c.endpoint, c.repo, c.revision, http);
        const match = files.find((x) => x.sha256 === f.sha256 && x.sizeBytes === f.sizeBytes);
        if (match) out.push({ endpoint: c.endpoint, url: downloadUrl(c.endpoint, c.repo, c.revision, match.path) });
        else log(`${c.endpoint.id} has no file with the SHA-256 of ${f.path}; not using it`);
      } catch (e) {
        log(`${c.endpoint.id} cannot list ${c.repo}: ${(e as Error).message}`);
      }
    }
    return out;
  };
  return new SourcePool(initial, more, onSwitch);
}
