import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { defaultServerName, MAX_URL_LENGTH, normalizeServerUrl } from './url';

const reason = (raw: string): string => {
  try {
    normalizeServerUrl(raw);
    return 'accepted';
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('REMOTE_BAD_URL');
    return String((e as AppError).params?.reason);
  }
};

describe('normalizeServerUrl', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://gpu-box.lan:8000/v1', 'https://gpu-box.lan:8000'],
    ['https://gpu-box.lan:8000/v1/', 'https://gpu-box.lan:8000'],
    ['  http://localhost:11434/  ', 'http://localhost:11434'],
    ['localhost:11434', 'http://localhost:11434'],
    ['192.168.1.5:1234/V1', 'http://192.168.1.5:1234'],
    ['HTTP://Example.COM', 'http://example.com'],
    ['http://[::1]:8080/v1', 'http://[::1]:8080'],
    ['https://api.example.com', 'https://api.example.com'],
    ['https://api.example.com:443/', 'https://api.example.com'],
  ])('%s → %s', (raw, want) => {
    expect(normalizeServerUrl(raw)).toBe(want);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['ftp://host/', /only http/],
    ['file:///etc/passwd', /only http/],
    ['javascript:alert(1)', /not a URL|only http/],
    ['http://user:pass@host:8080', /user name or password/],
    ['http://key@host:8080', /user name or password/],
    ['http://host:8080/v1?x=1', /query or fragment/],
    ['http://host:8080/#frag', /query or fragment/],
    ['http://host:8080/llm/v1', /not a path/],
    ['http://ho st:8080', /spaces or control/],
    ['http://host\u0000:8080', /spaces or control/],
    ['http://host:99999', /not a URL/],
    [`http://h/${'a'.repeat(MAX_URL_LENGTH)}`, /longer than/],
  ])('refuses %j', (raw, why) => {
    expect(reason(raw)).toMatch(why);
  });

  it('never echoes more than 200 characters of the input', () => {
    try {
      normalizeServerUrl(`ftp://${'x'.repeat(1500)}`);
    } catch (e) {
      expect(String((e as AppError).params?.url).length).toBeLessThanOrEqual(200);
    }
  });
});

describe('defaultServerName', () => {
  it('is the host and port', () => {
    expect(defaultServerName('http://gpu-box.lan:8000')).toBe('gpu-box.lan:8000');
    expect(defaultServerName('https://api.example.com')).toBe('api.example.com');
  });
});
