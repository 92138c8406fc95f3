/**
 * Server state of the vLLM section. Detection and the Ray head are kept live by their events (vllm.detection,
 * ray.status); the plan is asked again, debounced, as the form changes; a start puts its status into the shared
 * backend.status cache (the status bar and the chat follow it from there).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RayHeadStatus, VllmDetection } from '@shared/backends';
import type { BackendStatus } from '@shared/schemas';
import { useClient } from '../../../api/context';
import { keys, newerStatus } from '../../../api/queries';
import type { rayParams, VllmStartParams } from './vllm-view';

export const vllmKeys = {
  detection: ['vllm.detect'] as const,
  plan: (p: string) => ['vllm.plan', p] as const,
  ray: ['ray.status'] as const,
  rayCommands: (p: string) => ['vllm.rayCommands', p] as const,
  catalog: ['models.vllmCatalog'] as const,
};

/** Long enough to skip the keystrokes of a path being typed and the steps of a slider being dragged. */
export const PLAN_DEBOUNCE_MS = 350;

/** The value once it stopped changing for `ms` (compared by its JSON, so a new object with the same fields waits not). */
export function useDebouncedJson<T>(value: T, ms: number): T {
  const json = JSON.stringify(value);
  const [v, setV] = useState<{ json: string; value: T }>({ json, value });
  useEffect(() => {
    if (json === v.json) return;
    const timer = setTimeout(() => setV({ json, value: JSON.parse(json) as T }), ms);
    return () => clearTimeout(timer);
  }, [json, ms, v.json]);
  return v.value;
}

export function useVllmDetection() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(
    () => client.on('vllm.detection', (d) => qc.setQueryData<VllmDetection>(vllmKeys.detection, d)),
    [client, qc],
  );
  return useQuery({
    queryKey: vllmKeys.detection,
    queryFn: () => client.call('vllm.detect', {}),
    staleTime: Infinity,
    retry: false,
  });
}

/** Looks again (the core probes every environment anew). */
export function useVllmRecheck() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => client.call('vllm.detect', { refresh: true }),
    onSuccess: (d) => qc.setQueryData<VllmDetection>(vllmKeys.detection, d),
  });
}

/** The plan for the form (debounced); the previous plan stays on screen while the next one loads. */
export function useVllmPlan(params: VllmStartParams | null) {
  const client = useClient();
  const p = useDebouncedJson(params, PLAN_DEBOUNCE_MS);
  return useQuery({
    queryKey: vllmKeys.plan(JSON.stringify(p)),
    queryFn: () => client.call('vllm.plan', p!),
    enabled: p !== null,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
    retry: false,
  });
}

export function useVllmStart() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: VllmStartParams) => client.call('vllm.start', p),
    onSuccess: (s: BackendStatus) => qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, s)),
  });
}

type RayParams = NonNullable<ReturnType<typeof rayParams>>;

export function useRayCommands(params: RayParams | null) {
  const client = useClient();
  const p = useDebouncedJson(params, PLAN_DEBOUNCE_MS);
  return useQuery({
    queryKey: vllmKeys.rayCommands(JSON.stringify(p)),
    queryFn: () => client.call('vllm.rayCommands', p!),
    enabled: p !== null,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
}

export function useRayStatus() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.on('ray.status', (s) => qc.setQueryData<RayHeadStatus>(vllmKeys.ray, s)), [client, qc]);
  return useQuery({
    queryKey: vllmKeys.ray,
    queryFn: () => client.call('ray.status', {}),
    staleTime: Infinity,
    retry: false,
  });
}

export function useRayHead() {
  const client = useClient();
  const qc = useQueryClient();
  const onSuccess = (s: RayHeadStatus) => qc.setQueryData<RayHeadStatus>(vllmKeys.ray, s);
  const start = useMutation({
    mutationFn: (p: { install?: string }) => client.call('ray.startHead', p),
    onSuccess,
  });
  const stop = useMutation({ mutationFn: () => client.call('ray.stopHead', {}), onSuccess });
  return { start, stop };
}

/** The catalog's vLLM checkpoints (bundled; fetched once). */
export function useVllmCatalog() {
  const client = useClient();
  return useQuery({
    queryKey: vllmKeys.catalog,
    queryFn: () => client.call('models.vllmCatalog', {}),
    staleTime: Infinity,
    retry: false,
  });
}
