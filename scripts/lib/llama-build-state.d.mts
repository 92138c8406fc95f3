// Types for llama-build-state.mjs.
import type { RuntimeManifest } from '../../electron/shared/runtimes';

export interface BuildFailure {
  key: string;
  variant: string;
  commit: string;
  toolchain: string;
  failedAt: string;
  /** The last lines of the error output. */
  error: string[];
}

export function writeFileAtomic(file: string, text: string): void;
export function readFailure(cache: string, key: string): BuildFailure | null;
export function rememberFailure(
  cache: string,
  f: { key: string; variant: string; commit: string; toolchain: string; error: unknown },
): BuildFailure;
export function forgetFailure(cache: string, key: string): void;
export function failureHeadline(record: { error?: string[] } | null): string;
export function writeSourceRuntimeManifest(
  dir: string,
  o: { commit: string; variant: string; serverFile: string; platform: string; arch: string },
): RuntimeManifest;
