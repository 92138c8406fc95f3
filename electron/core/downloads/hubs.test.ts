/**
 * Endpoint selection rules: HF_ENDPOINT and MODELSCOPE_DOMAIN conventions, the user's choice first, then latency,
 * unreachable last; URL shapes per hub; and hub statuses mapped to errors the UI can explain.
 */
import { describe, expect, it } from 'vitest';
import type { EndpointInfo, EndpointProbe } from '../../shared/models';
import { endpointCandidates, orderEndpoints } from './endpoints';
import { downloadUrl, hubStatusError } from './hubs';

describe('endpointCandidates', () => {
  it('defaults: huggingface.co, hf-mirror, ModelScope', () => {
    expect(endpointCandidates({ customEndpoint: null }, {})).toEqual([
      { id: 'huggingface', hub: 'huggingface', url: 'https://huggingface.co' },
      { id: 'hf-mirror', hub: 'huggingface', url: 'https://hf-mirror.com' },
      { id: 'modelscope', hub: 'modelscope', url: 'https://www.modelscope.cn' },
    ]);
  });

  it('HF_ENDPOINT replaces the Hugging Face endpoints (the user chose a mirror)', () => {
    const eps = endpointCandidates({ customEndpoint: null }, { HF_ENDPOINT: 'https://hf-mirror.com/' });
    expect(eps.map((e) => [e.id, e.url])).toEqual([
      ['huggingface', 'https://hf-mirror.com'],
      ['modelscope', 'https://www.modelscope.cn'],
    ]);
  });

  it('MODELSCOPE_DOMAIN (the SDK convention, a host) and MODELSCOPE_ENDPOINT (a URL)', () => {
    expect(
      endpointCandidates({ customEndpoint: null }, { MODELSCOPE_DOMAIN: 'modelscope.example.cn' }).at(-1)!.url,
    ).toBe('https://modelscope.example.cn');
    expect(
      endpointCandidates({ customEndpoint: null }, { MODELSCOPE_ENDPOINT: 'http://127.0.0.1:9/' }).at(-1)!.url,
    ).toBe('http://127.0.0.1:9');
  });

  it('a custom HF-compatible endpoint from settings is a candidate too', () => {
    expect(endpointCandidates({ customEndpoint: 'https://models.corp.example' }, {}).at(-1)).toEqual({
      id: 'custom',
      hub: 'huggingface',
      url: 'https://models.corp.example',
    });
  });
});

describe('orderEndpoints', () => {
  const eps = endpointCandidates({ customEndpoint: null }, {});
  const probe = (id: string, ok: boolean, latencyMs: number | null): EndpointProbe => ({
    ...eps.find((e) => e.id === id)!,
    ok,
    latencyMs,
    error: ok ? null : 'timed out',
  });
  const ids = (xs: EndpointInfo[]) => xs.map((e) => e.id);

  it.each([
    // From China: huggingface.co times out, the mirror and ModelScope answer.
    [
      'auto, by latency, unreachable last',
      'auto',
      [probe('huggingface', false, null), probe('hf-mirror', true, 80), probe('modelscope', true, 40)],
      {},
      ['modelscope', 'hf-mirror', 'huggingface'],
    ],
    [
      'a manual choice comes first whatever the probe says',
      'huggingface',
      [probe('huggingface', false, null), probe('hf-mirror', true, 80), probe('modelscope', true, 40)],
      {},
      ['huggingface', 'modelscope', 'hf-mirror'],
    ],
    [
      'HF_ENDPOINT decides in auto mode',
      'auto',
      null,
      { HF_ENDPOINT: 'https://hf-mirror.com' },
      ['huggingface', 'hf-mirror', 'modelscope'],
    ],
    ['no probe: the listed order', 'auto', null, {}, ['huggingface', 'hf-mirror', 'modelscope']],
  ] as const)('%s', (_, choice, probes, env, want) => {
    expect(ids(orderEndpoints(eps, choice, probes ? [...probes] : null, env))).toEqual(want);
  });
});

describe('downloadUrl', () => {
  it('Hugging Face resolve URL, path segments encoded', () => {
    expect(
      downloadUrl(
        { id: 'huggingface', hub: 'huggingface', url: 'https://huggingface.co' },
        'o/r',
        'main',
        'UD-IQ1_S/a b.gguf',
      ),
    ).toBe('https://huggingface.co/o/r/resolve/main/UD-IQ1_S/a%20b.gguf');
  });
  it('ModelScope repo API with Revision and FilePath', () => {
    expect(
      downloadUrl(
        { id: 'modelscope', hub: 'modelscope', url: 'https://www.modelscope.cn' },
        'o/r',
        'master',
        'UD-IQ1_S/x.gguf',
      ),
    ).toBe('https://www.modelscope.cn/api/v1/models/o/r/repo?Revision=master&FilePath=UD-IQ1_S%2Fx.gguf');
  });
});

describe('hubStatusError', () => {
  const ctx = { endpoint: 'https://huggingface.co', repo: 'o/r', file: 'x.gguf' };
  it.each([
    [404, {}, 'HUB_FILE_NOT_FOUND'],
    // huggingface.co answers 401 + RepoNotFound for repos that do not exist (to anonymous users).
    [401, { 'x-error-code': 'RepoNotFound' }, 'HUB_NOT_FOUND'],
    [403, { 'x-error-code': 'GatedRepo' }, 'HUB_AUTH_REQUIRED'],
    [401, {}, 'HUB_AUTH_REQUIRED'],
    [400, {}, 'HUB_UNREACHABLE'],
    // Worth retrying: no error yet.
    [429, {}, null],
    [500, {}, null],
    [503, {}, null],
  ] as const)('%i %j → %s', (status, headers, code) => {
    expect(hubStatusError(status, new Headers(headers), ctx)?.code ?? null).toBe(code);
  });
});
