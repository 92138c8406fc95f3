/**
 * The runtime manager: which llama.cpp builds are here (sources.ts), which one the app runs on and why (select.ts,
 * after the device checks of device-check.ts), and getting, switching, removing and updating them. Everything the
 * runtimes.* handlers do goes through here; the backend asks `activeServer()` for the llama-server to start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type {
  AvailableRuntime,
  RuntimeCheck,
  RuntimeInfo,
  RuntimeJob,
  RuntimeList,
  RuntimeManifest,
  RuntimeProblem,
  RuntimeSelection,
  RuntimeVariant,
} from '../../shared/runtimes';
import type { Settings, SettingsPatch } from '../../shared/schemas';
import type { Fetch } from '../downloads/hubs';
import { exeName } from '../backends/llama-cpp/binaries';
import type { RunTool } from '../util/run-tool';
import { pickAssets, variantsOffered } from './assets';
import { chooseCandidates, type ChooserInput } from './choose';
import { DeviceChecks } from './device-check';
import type { InstallReleaseOptions } from './install';
import { RuntimeJobs } from './jobs';
import { fetchRelease, releaseEndpoint } from './release-feed';
import { autoOrder, selectRuntime, type Selected } from './select';
import { readPinned, type Pinned } from './pinned';
import { gatherRuntimes, overrideEntry, runtimeInfo, userFolder, type RuntimeEntry } from './sources';

/** Problems that mean a fetched build cannot run here at all: it is removed again (nothing left behind). */
const BROKEN = new Set([
  'NOT_FOUND',
  'NOT_EXECUTABLE',
  'MISSING_LIBRARY',
  'CRASHED',
  'NO_DEVICE_LIST',
  'FILES_CHANGED',
]);

export interface RuntimeStoreLike {
  list(): Promise<(RuntimeManifest & { dir: string })[]>;
  remove(id: string): Promise<unknown>;
  /** Re-hashes a release runtime's files: FILES_CHANGED or null. */
  verifyFiles(id: string): Promise<RuntimeProblem | null>;
}

export interface RuntimeManagerDeps {
  dataDir: string;
  resourcesDirs: string[];
  settings: { get(): Promise<Settings>; update(p: SettingsPatch): Promise<Settings> };
  env: NodeJS.ProcessEnv;
  fetch: Fetch;
  /** The hardware as the vendor tools and the OS see it (never a runtime's own list). */
  chooserInput: () => Promise<ChooserInput>;
  /** Whether the backend runs (the runtime it runs on cannot be removed meanwhile). */
  backendRunning: () => boolean;
  store: RuntimeStoreLike;
  install: (o: InstallReleaseOptions) => Promise<RuntimeManifest>;
  emitProgress: (job: RuntimeJob) => void;
  emitChanged: (list: RuntimeList) => void;
  log: (msg: string) => void;
  platform?: string;
  arch?: string;
  checkTimeoutMs?: number;
  runTool?: RunTool;
}

export class RuntimeManager {
  private readonly platform: string;
  private readonly arch: string;
  private readonly checks: DeviceChecks;
  private readonly jobs: RuntimeJobs;
  private readonly pinned: Pinned;
  /** The llama-server last handed to the backend (it stays in use until the backend stops). */
  private served: string | null = null;
  private lastActive: string | null = null;

  constructor(private readonly d: RuntimeManagerDeps) {
    this.platform = d.platform ?? process.platform;
    this.arch = d.arch ?? process.arch;
    this.checks = new DeviceChecks({
      env: d.env,
      platform: this.platform,
      ...(d.checkTimeoutMs ? { timeoutMs: d.checkTimeoutMs } : {}),
      ...(d.runTool ? { runTool: d.runTool } : {}),
    });
    this.jobs = new RuntimeJobs(d.emitProgress);
    this.pinned = readPinned(d.resourcesDirs);
  }

  get pinnedTag(): string {
    return this.pinned.tag;
  }

  private async endpoint(): Promise<string> {
    return releaseEndpoint((await this.d.settings.get()).runtime.releaseEndpoint, this.d.env);
  }

  /** One release from the feed in use: `tag`, the pinned one by default, or 'latest'. */
  private async release(tag: string | undefined, signal?: AbortSignal) {
    const endpoint = await this.endpoint();
    const release = await fetchRelease({
      endpoint,
      repo: this.pinned.repo,
      tag: tag ?? this.pinned.tag,
      fetch: this.d.fetch,
      ...(signal ? { signal } : {}),
    });
    return { endpoint, release };
  }

  private async entries(): Promise<{ all: RuntimeEntry[]; override: { runtime: RuntimeEntry; from: string } | null }> {
    const s = await this.d.settings.get();
    const all = await gatherRuntimes({
      installed: () => this.d.store.list(),
      resourcesDirs: this.d.resourcesDirs,
      folders: s.runtime.folders,
      platform: this.platform,
      arch: this.arch,
    });
    const explicit = s.llamaServerPath || this.d.env.DEEPLOCAL_LLAMA_SERVER;
    if (!explicit) return { all, override: null };
    const runtime = await overrideEntry(explicit, this.platform, this.arch);
    return {
      all: [runtime, ...all],
      override: { runtime, from: s.llamaServerPath ? 'settings (llamaServerPath)' : 'DEEPLOCAL_LLAMA_SERVER' },
    };
  }

  /** Checks what the selection needs (auto: in order until one passes), then selects. `refresh` re-runs every check. */
  private async compute(refresh = false): Promise<{ sel: Selected<RuntimeEntry>; all: RuntimeEntry[] }> {
    const [{ all, override }, input, s] = await Promise.all([
      this.entries(),
      this.d.chooserInput(),
      this.d.settings.get(),
    ]);
    const candidates = chooseCandidates(input);
    const setting = s.runtime.active;
    const checks = new Map<string, RuntimeCheck>();
    const check = async (r: RuntimeEntry) => checks.set(r.id, await this.checks.get(r, refresh));
    const explicit = all.find((r) => r.id === setting);
    if (override) await check(override.runtime);
    else if (explicit && setting !== 'auto') await check(explicit);
    else
      for (const r of autoOrder(candidates, all)) {
        await check(r);
        if (checks.get(r.id)!.ok) break;
      }
    if (refresh) for (const r of all) if (!checks.has(r.id)) await check(r);
    const sel = selectRuntime({
      setting,
      candidates,
      runtimes: all.filter((r) => r !== override?.runtime),
      checks,
      gpus: input.gpus.map((g) => g.name),
      override,
    });
    if (sel.active?.id !== this.lastActive) {
      this.lastActive = sel.active?.id ?? null;
      this.d.log(`runtime: ${sel.summary}`);
    }
    return { sel, all };
  }

  private info(r: RuntimeEntry, activeId: string | null): RuntimeInfo {
    return runtimeInfo(r, r.id === activeId, this.checks.peek(r.id));
  }

  private toSelection(sel: Selected<RuntimeEntry>): RuntimeSelection {
    return {
      setting: sel.setting,
      active: sel.active ? this.info(sel.active, sel.active.id) : null,
      devices: sel.devices,
      candidates: sel.candidates,
      fallbacks: sel.fallbacks,
      gpuUnusable: sel.gpuUnusable,
      summary: sel.summary,
    };
  }

  /** The selection plus whether its device list is known (for the hardware report). */
  async selectionDetail(
    refresh = false,
  ): Promise<{ selection: RuntimeSelection; listed: boolean; reason: Selected<RuntimeEntry>['reason'] }> {
    const { sel } = await this.compute(refresh);
    return { selection: this.toSelection(sel), listed: sel.listed, reason: sel.reason };
  }

  async selection(): Promise<RuntimeSelection> {
    return (await this.selectionDetail()).selection;
  }

  async list(): Promise<RuntimeList> {
    const { sel, all } = await this.compute();
    return {
      installed: all.map((r) => this.info(r, sel.active?.id ?? null)),
      selection: this.toSelection(sel),
      jobs: this.jobs.list(),
      pinnedTag: this.pinned.tag,
      releaseEndpoint: await this.endpoint(),
    };
  }

  private async changed(): Promise<void> {
    this.d.emitChanged(await this.list());
  }

  /** The llama-server the backend should start, as app.info's `backend` reports it. */
  async activeServer(): Promise<{ found: boolean; path: string; variant: string | null }> {
    const { sel } = await this.compute();
    if (!sel.active) {
      const fallback = path.join(
        this.d.resourcesDirs[0] ?? '.',
        'bin',
        `${this.platform}-${this.arch}-cpu`,
        exeName('llama-server', this.platform),
      );
      return { found: false, path: fallback, variant: null };
    }
    const found = fs.existsSync(sel.active.server);
    this.served = sel.active.server;
    return { found, path: sel.active.server, variant: sel.active.variant };
  }

  /** `auto` or an installed runtime's id; answers the selection that results. */
  async use(id: string): Promise<RuntimeSelection> {
    if (id !== 'auto' && !(await this.entries()).all.some((r) => r.id === id))
      throw new AppError('RUNTIME_NOT_FOUND', { id });
    const cur = await this.d.settings.get();
    await this.d.settings.update({ runtime: { ...cur.runtime, active: id } });
    const sel = await this.selection();
    await this.changed();
    return sel;
  }

  /** Runs every device check again; fetched runtimes are re-hashed first (a changed file fails the check). */
  async check(): Promise<RuntimeSelection> {
    for (const r of (await this.entries()).all.filter((x) => x.source === 'release')) {
      const problem = await this.d.store.verifyFiles(r.id).catch(() => null);
      this.checks.hold(r.id, problem);
    }
    const { sel } = await this.compute(true);
    await this.changed();
    return this.toSelection(sel);
  }

  async available(tag?: string): Promise<{ tag: string; endpoint: string; runtimes: AvailableRuntime[] }> {
    const { endpoint, release } = await this.release(tag);
    const installed = new Set((await this.entries()).all.map((r) => r.id));
    const runtimes = variantsOffered(release, this.platform, this.arch).flatMap((variant) => {
      const picked = pickAssets(release, this.platform, this.arch, variant);
      if (!picked) return [];
      return [
        {
          variant,
          tag: release.tag,
          assets: picked.assets.map((a) => ({ name: a.name, size: a.size, sha256: a.sha256 })),
          totalBytes: picked.assets.reduce((n, a) => n + a.size, 0),
          installed: installed.has(`${release.tag}-${variant}`),
        },
      ];
    });
    return { tag: release.tag, endpoint, runtimes };
  }

  /**
   * Fetches, verifies, unpacks and checks one variant as a job. A build that cannot run here is removed again and
   * the job fails with the reason; one that runs but lists no GPU stays (auto then explains the fallback). It is
   * made active only when `use` is set; in auto mode the selection takes it by itself where it ranks higher.
   */
  get(variant: RuntimeVariant, tag?: string, opts: { use?: boolean } = {}): RuntimeJob {
    return this.jobs.start(variant, tag ?? null, async (ctx) => {
      const { release } = await this.release(tag, ctx.signal);
      ctx.progress({ phase: 'resolve', tag: release.tag });
      const picked = pickAssets(release, this.platform, this.arch, variant);
      if (!picked)
        throw new AppError('RUNTIME_ASSET_MISSING', {
          tag: release.tag,
          variant,
          platform: this.platform,
          arch: this.arch,
        });
      const manifest = await this.d.install({
        dataDir: this.d.dataDir,
        release,
        assets: picked.assets,
        variant,
        platform: this.platform,
        arch: this.arch,
        fetch: this.d.fetch,
        pinned: this.pinned.assets,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p),
      });
      ctx.progress({ phase: 'check' });
      const entry = (await this.entries()).all.find((r) => r.id === manifest.id);
      if (!entry) throw new AppError('RUNTIME_NOT_FOUND', { id: manifest.id });
      const check = await this.checks.get(entry, true);
      if (!check.ok && check.problem && BROKEN.has(check.problem.code)) {
        await this.d.store
          .remove(manifest.id)
          .catch((e: unknown) => this.d.log(`runtime: could not remove ${manifest.id}: ${String(e)}`));
        this.checks.forget(manifest.id);
        throw new AppError('RUNTIME_CHECK_FAILED', { variant, reason: check.problem.message });
      }
      if (opts.use) await this.use(manifest.id);
      else await this.changed();
      return manifest.id;
    });
  }

  cancel(jobId: string): RuntimeJob {
    return this.jobs.cancel(jobId);
  }

  waitJob(jobId: string): Promise<RuntimeJob> {
    return this.jobs.wait(jobId);
  }

  /** Removes a fetched runtime or forgets a user folder (its files stay). Not the one the running backend uses. */
  async remove(id: string): Promise<{ removed: boolean }> {
    const { sel, all } = await this.compute();
    const r = all.find((x) => x.id === id);
    if (!r) throw new AppError('RUNTIME_NOT_FOUND', { id });
    if (!r.removable) throw new AppError('UNSUPPORTED', { what: `removing the ${r.source} runtime ${id}` });
    if (this.d.backendRunning() && (sel.active?.id === id || this.served === r.server))
      throw new AppError('RUNTIME_IN_USE', { id });
    const s = await this.d.settings.get();
    const runtime = { ...s.runtime, active: s.runtime.active === id ? 'auto' : s.runtime.active };
    if (r.source === 'folder') runtime.folders = runtime.folders.filter((f) => path.resolve(f) !== path.resolve(r.dir));
    else await this.d.store.remove(id);
    await this.d.settings.update({ runtime });
    this.checks.forget(id);
    await this.changed();
    return { removed: true };
  }

  /** Adds a folder holding a llama-server, after its device check shows it runs here. */
  async addFolder(folder: string): Promise<RuntimeInfo> {
    const dir = path.resolve(folder);
    const entry = await userFolder(dir, this.platform, this.arch);
    const check = await this.checks.get(entry, true);
    if (!check.ok && check.problem && BROKEN.has(check.problem.code))
      throw new AppError('RUNTIME_CHECK_FAILED', { variant: entry.variant, reason: check.problem.message });
    const s = await this.d.settings.get();
    if (!s.runtime.folders.some((f) => path.resolve(f) === dir))
      await this.d.settings.update({ runtime: { ...s.runtime, folders: [...s.runtime.folders, dir] } });
    await this.changed();
    const { sel } = await this.compute();
    return this.info(entry, sel.active?.id ?? null);
  }

  /**
   * The latest release vs the active runtime's tag. `apply` gets the active variant from it, checks it and makes it
   * active; the previous runtime stays installed for rollback (runtimes.use of its id).
   */
  async update(apply = false): Promise<{ current: string | null; latest: string | null; job: RuntimeJob | null }> {
    const [{ sel }, s] = await Promise.all([this.compute(), this.d.settings.get()]);
    const current = sel.active?.tag ?? null;
    const { release } = await this.release('latest');
    const latest = release.tag;
    if (!apply || latest === current) return { current, latest, job: null };
    const variant = sel.active?.variant ?? sel.candidates[0]?.variant ?? 'cpu';
    // In auto mode the newest install of a variant already wins; a runtime chosen by id is switched to the new one.
    return { current, latest, job: this.get(variant, latest, { use: s.runtime.active !== 'auto' }) };
  }

  async dispose(): Promise<void> {
    await this.jobs.cancelAll();
  }
}
