import { describe, expect, it } from 'vitest';
import { createClient, MeDocument } from '../src';

// A browser's fetch: a public query over GET comes back with Cache-Control max-age, so a reload after a write must
// tell the browser's HTTP cache to ask the server again.
function recordingFetch() {
  const calls: RequestInit[] = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    calls.push(init ?? {});
    return new Response('{"data":{"me":null}}', { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

describe('network-only queries', () => {
  it('bypass the HTTP cache, and keep the access token', async () => {
    const { calls, fetch } = recordingFetch();
    const client = createClient({ url: 'https://shop.test/graphql', fetch });
    client.tokens.set({ accessToken: 'a1', refreshToken: 'r1' });
    await client.query(MeDocument, {}, 'network-only');
    expect(calls[0].cache).toBe('no-cache');
    expect(new Headers(calls[0].headers).get('Authorization')).toBe('Bearer a1');
  });

  it('leave the HTTP cache to the browser otherwise', async () => {
    const { calls, fetch } = recordingFetch();
    const client = createClient({ url: 'https://shop.test/graphql', fetch });
    await client.query(MeDocument, {});
    expect(calls[0].cache).toBeUndefined();
  });
});
