/**
 * The `kinds` namespace: backend kinds beyond the built-in llama.cpp (issue 15). One file pair per section: page (the
 * Backends page, kind names), vllm (detection, install guide, start, Ray), remote (external servers), rpc (workers
 * on other machines, this machine as a worker).
 */
import type { Messages } from '../backend/messages';
import { pageEn } from './page.en';
import { pageZhCN } from './page.zh-CN';
import { remoteEn } from './remote.en';
import { remoteZhCN } from './remote.zh-CN';
import { rpcEn } from './rpc.en';
import { rpcZhCN } from './rpc.zh-CN';
import { vllmEn } from './vllm.en';
import { vllmZhCN } from './vllm.zh-CN';

export const kindsEn = { page: pageEn, vllm: vllmEn, remote: remoteEn, rpc: rpcEn } as const;
export type KindsMessages = typeof kindsEn;
export const kindsZhCN: Messages<KindsMessages> = { page: pageZhCN, vllm: vllmZhCN, remote: remoteZhCN, rpc: rpcZhCN };
