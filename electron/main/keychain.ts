/**
 * Electron's safeStorage as the core's KeychainPort (remote servers' API keys): macOS Keychain, Windows DPAPI,
 * libsecret / kwallet on Linux. Offered only where it really encrypts: after app ready, when
 * isEncryptionAvailable(), and on Linux not with the 'basic_text' fallback (a hard-coded password, no better than
 * the 0600 file the core uses without a keychain).
 */
import { safeStorage } from 'electron';
import type { KeychainPort } from '../core/remote/keys';

export function safeStorageKeychain(platform: NodeJS.Platform = process.platform): KeychainPort | undefined {
  const available = () => {
    try {
      if (!safeStorage.isEncryptionAvailable()) return false;
      return platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
    } catch {
      return false;
    }
  };
  if (!available()) return undefined;
  return {
    available,
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}
