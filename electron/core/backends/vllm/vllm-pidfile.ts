/**
 * run/vllm.pid: which `vllm serve` we started and which DeepLocal process started it (llama-cpp/backend-pidfile.ts's
 * record and decision), so the next start ends a vLLM whose owner died, and its whole process group with it.
 */
import { reapStaleBackend, removeBackendPidFile, writeBackendPidFile } from '../llama-cpp/backend-pidfile';

export const VLLM_PID_FILE = 'vllm.pid';
/** What the recorded pid must still run for the next start to end it (`vllm serve`, `python -m vllm…`, `wsl … vllm`). */
export const VLLM_PROGRAM = /vllm/;

export function writeVllmPidFile(runDir: string, pid: number): Promise<void> {
  return writeBackendPidFile(runDir, pid, undefined, VLLM_PID_FILE);
}

export function removeVllmPidFile(runDir: string, pid: number): Promise<void> {
  return removeBackendPidFile(runDir, pid, VLLM_PID_FILE);
}

/** Ends a vLLM left by a DeepLocal that died (owner gone, pid still runs vllm): its process group, else the pid. */
export function reapStaleVllm(runDir: string, log: (msg: string) => void): Promise<void> {
  return reapStaleBackend(runDir, log, {
    name: VLLM_PID_FILE,
    program: VLLM_PROGRAM,
    kill: (pid) => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    },
  });
}
