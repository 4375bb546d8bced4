import { describe, expect, it } from 'vitest';
import { createClient, MeDocument, ProductsDocument, CreateShopDocument, documentIdOf } from '../src';
import { taroFetch, taroWebSocket } from '../src/taro';
import { FakeTaro } from './fake-taro';

function clientOver(taro: FakeTaro, tokens?: { accessToken: string; refreshToken: string }) {
  const client = createClient({ url: 'https://shop.test/graphql', fetch: taroFetch(taro), webSocketImpl: taroWebSocket(taro), preferGetMethod: false });
  if (tokens) client.tokens.set(tokens);
  return client;
}

describe('taroFetch', () => {
  it('sends the document by its sha256 id, never its text', async () => {
    // given
    const taro = new FakeTaro();
    taro.answer = () => ({ statusCode: 200, data: '{"data":{"products":{"__typename":"ProductConnection","edges":[],"pageInfo":{"__typename":"PageInfo","hasNextPage":false,"endCursor":null}}}}', header: { 'content-type': 'application/json' } });
    // when
    const result = await clientOver(taro).query(ProductsDocument, { first: 4 });
    // then
    expect(result.ok && result.data.products.edges).toEqual([]);
    const body = JSON.parse(taro.requests[0].data as string);
    expect(body.documentId).toBe(documentIdOf(ProductsDocument));
    expect(body.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(body.query).toBeUndefined();
    expect(body.variables).toEqual({ first: 4 });
    expect(taro.requests[0].method).toBe('POST');
    expect(taro.requests[0].dataType).toBe('text');
  });

  it('queries by GET with the id in the URL when asked to', async () => {
    const taro = new FakeTaro();
    taro.answer = () => ({ statusCode: 200, data: '{"data":{"me":null}}', header: { 'Content-Type': 'application/json' } });
    const client = createClient({ url: 'https://shop.test/graphql', fetch: taroFetch(taro) });
    await client.query(MeDocument, {});
    expect(taro.requests[0].method).toBe('GET');
    expect(decodeURIComponent(taro.requests[0].url)).toContain(`documentId=${documentIdOf(MeDocument)}`);
  });

  it('carries the access token as a Bearer header', async () => {
    const taro = new FakeTaro();
    taro.answer = () => ({ statusCode: 200, data: '{"data":{"me":null}}', header: {} });
    await clientOver(taro, { accessToken: 'a.b.c', refreshToken: 'r' }).query(MeDocument, {});
    expect(taro.requests[0].header?.authorization).toBe('Bearer a.b.c');
  });

  it('returns user errors as a typed result, not an exception', async () => {
    const taro = new FakeTaro();
    const payload = { createShop: { __typename: 'ShopPayload', shop: null, errors: [{ __typename: 'UserError', code: 'INVALID_INPUT', field: ['input', 'name'], message: '店名不能为空' }] } };
    taro.answer = () => ({ statusCode: 200, data: JSON.stringify({ data: payload }), header: { 'Content-Type': 'application/json' } });
    const result = await clientOver(taro).mutate(CreateShopDocument, { input: { name: '' } });
    expect(result.ok).toBe(true);
    expect(result.userErrors).toEqual([{ __typename: 'UserError', code: 'INVALID_INPUT', field: ['input', 'name'], message: '店名不能为空' }]);
  });

  it('refreshes the token on UNAUTHENTICATED and retries with the new one', async () => {
    // given: the access token is refused (401), the refresh token is good
    const taro = new FakeTaro();
    taro.answer = (options) => {
      const body = JSON.parse((options.data as string) ?? '{}');
      if (body.variables?.refreshToken) {
        return { statusCode: 200, data: JSON.stringify({ data: { refreshToken: { __typename: 'AuthPayload', accessToken: 'new.access.token', refreshToken: 'new-refresh', errors: [] } } }), header: { 'Content-Type': 'application/json' } };
      }
      if (options.header?.authorization === 'Bearer old.access.token') {
        return { statusCode: 401, data: '{"errors":[{"message":"Invalid or expired access token","extensions":{"code":"UNAUTHENTICATED"}}]}', header: { 'Content-Type': 'application/json' } };
      }
      return { statusCode: 200, data: '{"data":{"me":{"__typename":"User","id":"u1","nickname":"小明","avatarUrl":null,"inviteCode":"X","points":0,"level":1,"followerCount":0,"followingCount":0}}}', header: { 'Content-Type': 'application/json' } };
    };
    const client = clientOver(taro, { accessToken: 'old.access.token', refreshToken: 'old-refresh' });
    // when
    const result = await client.query(MeDocument, {});
    // then
    expect(result.ok && result.data.me?.nickname).toBe('小明');
    expect(client.tokens.get()).toEqual({ accessToken: 'new.access.token', refreshToken: 'new-refresh' });
    expect(taro.requests.at(-1)?.header?.authorization).toBe('Bearer new.access.token');
  });

  it('signs out when the refresh token is refused too', async () => {
    const taro = new FakeTaro();
    let signedOut = 0;
    taro.answer = (options) => {
      const body = JSON.parse((options.data as string) ?? '{}');
      if (body.variables?.refreshToken) {
        return { statusCode: 200, data: JSON.stringify({ data: { refreshToken: { __typename: 'AuthPayload', accessToken: null, refreshToken: null, errors: [{ __typename: 'UserError', code: 'UNAUTHENTICATED', field: null, message: 'no' }] } } }), header: { 'Content-Type': 'application/json' } };
      }
      return { statusCode: 401, data: '{"errors":[{"message":"expired","extensions":{"code":"UNAUTHENTICATED"}}]}', header: { 'Content-Type': 'application/json' } };
    };
    const client = createClient({ url: 'https://shop.test/graphql', fetch: taroFetch(taro), onSignedOut: () => (signedOut += 1), preferGetMethod: false });
    client.tokens.set({ accessToken: 'x.y.z', refreshToken: 'bad' });
    const result = await client.query(MeDocument, {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(client.tokens.get()).toBeNull();
    expect(signedOut).toBe(1);
  });

  it('turns a failed Taro.request into a network error result', async () => {
    const taro = new FakeTaro();
    taro.answer = () => 'fail';
    const result = await clientOver(taro).query(MeDocument, {});
    expect(!result.ok && result.error.code).toBe('NETWORK_ERROR');
  });

  it('aborts the Taro request task when the fetch is aborted', async () => {
    const taro = new FakeTaro();
    taro.answer = () => ({ statusCode: 200, data: '{}', header: {} });
    const controller = new AbortController();
    const pending = taroFetch(taro)('https://shop.test/graphql', { method: 'POST', body: '{}', signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(taro.aborted).toBe(1);
  });
});
