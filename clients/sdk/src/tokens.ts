/** Where the SDK keeps the viewer's tokens: memory by default; an app passes one over Taro.setStorageSync or
 * localStorage to keep a login across launches. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens | null): void;
}

export function memoryTokens(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return { get: () => tokens, set: (next) => void (tokens = next) };
}

/** Tokens kept under `key` in a synchronous key-value storage (localStorage, or Taro's getStorageSync/setStorageSync). */
export function storedTokens(storage: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void }, key = 'yxg.tokens'): TokenStore {
  return {
    get() {
      const raw = storage.getItem(key);
      if (!raw) return null;
      try {
        return JSON.parse(raw) as Tokens;
      } catch {
        return null;
      }
    },
    set(tokens) {
      if (tokens) storage.setItem(key, JSON.stringify(tokens));
      else storage.removeItem(key);
    },
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Seconds since the epoch at which a JWT expires (its `exp`), or null; decoded by hand: a mini-program has no atob. */
export function expiresAt(jwt: string): number | null {
  const part = jwt.split('.')[1];
  if (!part) return null;
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of part.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')) {
    const index = B64.indexOf(ch);
    if (index < 0) return null;
    value = (value << 6) | index;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  try {
    const text = decodeURIComponent(bytes.map((b) => '%' + b.toString(16).padStart(2, '0')).join(''));
    const exp = (JSON.parse(text) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}
