import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  CreateProductDocument,
  CreateShopDocument,
  DevLoginDocument,
  MeDocument,
  OrderStatusDocument,
  PayOrderDocument,
  PlaceOrderDocument,
  ProductsDocument,
  type Client,
} from '../src';
import { taroFetch, taroWebSocket } from '../src/taro';
import { audit } from '../scripts/audit.mjs';
import { nodeTaro } from './real-taro';
import { startServer, type RunningServer } from './server';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

function taroClient(): { client: Client; taro: ReturnType<typeof nodeTaro> } {
  const taro = nodeTaro();
  const client = createClient({ url: server.url, wsUrl: server.wsUrl, fetch: taroFetch(taro), webSocketImpl: taroWebSocket(taro) });
  return { client, taro };
}

async function signIn(client: Client, nickname: string): Promise<void> {
  const login = await client.mutate(DevLoginDocument, { nickname });
  if (!login.ok || !login.data.devLogin.accessToken) throw new Error(`devLogin failed: ${JSON.stringify(login)}`);
  client.signIn({ accessToken: login.data.devLogin.accessToken, refreshToken: login.data.devLogin.refreshToken! });
}

describe('the SDK over the Taro adapters against the real server', () => {
  it('signs in and reads the viewer with trusted documents only', async () => {
    const { client } = taroClient();
    await signIn(client, 'SDK测试员');
    const me = await client.query(MeDocument, {});
    expect(me.ok && me.data.me?.nickname).toBe('SDK测试员');
  });

  it('returns a mutation’s user errors as data', async () => {
    const { client } = taroClient();
    await signIn(client, 'SDK店主');
    const result = await client.mutate(CreateShopDocument, { input: { name: '' } });
    expect(result.ok).toBe(true);
    expect(result.userErrors.map((e) => e.code)).toEqual(['INVALID_INPUT']);
    expect(result.userErrors[0].field).toEqual(['input', 'name']);
  });

  it('refreshes a refused access token and retries', async () => {
    const { client } = taroClient();
    await signIn(client, 'SDK换票');
    const tokens = client.tokens.get()!;
    client.tokens.set({ ...tokens, accessToken: 'not-a-valid.jwt.token' }); // the server answers 401 UNAUTHENTICATED
    const me = await client.query(MeDocument, {}, 'network-only');
    expect(me.ok && me.data.me?.nickname).toBe('SDK换票');
    expect(client.tokens.get()!.accessToken).not.toBe('not-a-valid.jwt.token');
    expect(client.tokens.get()!.refreshToken).not.toBe(tokens.refreshToken); // rotated
  });

  it('follows an order from a subscription over Taro.connectSocket while it is paid', async () => {
    // given: a seller's product and a signed-in buyer watching their new order
    const seller = taroClient().client;
    await signIn(seller, 'SDK卖家');
    const shop = await seller.mutate(CreateShopDocument, { input: { name: 'SDK小店' } });
    const shopId = shop.ok ? shop.data.createShop.shop!.id : '';
    const created = await seller.mutate(CreateProductDocument, {
      input: { shopId, title: 'SDK测试茶', description: '', images: [], skus: [{ specs: [{ name: '规格', value: '一盒' }], price: 990, stock: 5 }] },
    });
    const skuId = created.ok ? created.data.createProduct.product!.skus[0].id : '';
    const { client: buyer, taro } = taroClient();
    await signIn(buyer, 'SDK买家');
    const placed = await buyer.mutate(PlaceOrderDocument, { input: { lines: [{ skuId, quantity: 1 }], idempotencyKey: `sdk-${Date.now()}` } });
    expect(placed.ok && placed.userErrors).toEqual([]);
    const orderId = placed.ok ? placed.data.placeOrder.order!.id : '';
    const statuses: string[] = [];
    const stop = buyer.subscribe(OrderStatusDocument, { orderId }, { next: (d) => statuses.push(d.orderStatus.status) });
    await until(() => statuses.includes('PENDING_PAYMENT'));
    // when
    const paid = await buyer.mutate(PayOrderDocument, { input: { orderId, method: 'DEV_PAY', idempotencyKey: `pay-${orderId}` } });
    // then
    expect(paid.ok && paid.data.payOrder.order?.status).toBe('PAID');
    await until(() => statuses.includes('PAID'));
    expect(taro.sockets).toBe(1);
    stop();
    const found = await buyer.query(ProductsDocument, { shopId, first: 5 }, 'network-only');
    expect(found.ok && found.data.products.edges.map((e) => e.node.title)).toEqual(['SDK测试茶']);
  });

  it('gets PERSISTED_DOCUMENT_NOT_FOUND for an id the server does not know', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
      body: JSON.stringify({ documentId: `sha256:${'0'.repeat(64)}` }),
    });
    expect(response.status).toBe(404);
    expect((await response.json()).errors[0].extensions.code).toBe('PERSISTED_DOCUMENT_NOT_FOUND');
  });

  it("passes graphql-http's server audit: no MUST failed, no SHOULD missed", async () => {
    const results = await audit(server.url);
    const unmet = results.filter((r) => r.status !== 'ok' && /^(MUST|SHOULD)/.test(r.name));
    expect(unmet.map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });
});

describe('a server in trusted-documents-only mode', () => {
  let strict: RunningServer;
  beforeAll(async () => {
    strict = await startServer({ TRUSTED_DOCUMENTS_ONLY: '1' });
  });
  afterAll(async () => {
    await strict?.stop();
  });

  it('runs the SDK’s documents and refuses a free query', async () => {
    const taro = nodeTaro();
    const client = createClient({ url: strict.url, fetch: taroFetch(taro) });
    const login = await client.mutate(DevLoginDocument, { nickname: '只信清单' });
    expect(login.ok && login.data.devLogin.user?.nickname).toBe('只信清单');
    const free = await fetch(strict.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: '{ me { id } }' }) });
    expect(free.status).toBe(400);
    expect((await free.json()).errors[0].extensions.code).toBe('PERSISTED_DOCUMENT_REQUIRED');
  });
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
