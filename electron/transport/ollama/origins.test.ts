import { describe, expect, it } from 'vitest';
import { originAllowed } from './origins';

describe('Ollama origin allow-list', () => {
  it.each([
    [undefined, [], true],
    ['http://localhost', [], true],
    ['http://localhost:3000', [], true],
    ['https://127.0.0.1:8443', [], true],
    ['http://0.0.0.0:8080', [], true],
    ['app://obsidian.md', [], true],
    ['vscode-webview://abc123', [], true],
    ['tauri://localhost', [], true],
    ['file://', [], true],
    // A page anywhere else: DNS names that merely start like loopback ones included.
    ['https://evil.example', [], false],
    ['http://localhost.evil.example', [], false],
    ['http://127.0.0.1.nip.io:80', [], false],
    ['null', [], false],
    ['chrome-extension://abcdef', [], false],
    ['chrome-extension://abcdef', ['chrome-extension://*'], true],
    ['https://chat.example.com', ['https://chat.example.com'], true],
    ['HTTPS://CHAT.EXAMPLE.COM', ['https://chat.example.com'], true],
    ['https://other.example.com', ['https://chat.example.com'], false],
    ['https://anything.example', ['*'], true],
  ] as const)('%s with %j: %s', (origin, extra, want) => {
    expect(originAllowed(origin, extra)).toBe(want);
  });
});
