/**
 * Executable names per platform. Which llama-server the backend runs is the runtime manager's decision
 * (core/runtimes: installed runtimes, source builds in resources/bin, user folders, the legacy override).
 */
export const exeName = (name: string, platform: string = process.platform) =>
  platform === 'win32' ? `${name}.exe` : name;
