import { describe, expect, it } from 'vitest';
import { createClient, OrderStatusDocument, documentIdOf } from '../src';
import { taroFetch, taroWebSocket } from '../src/taro';
import { FakeTaro, until } from './fake-taro';

function socketClient(taro: FakeTaro, waits: number[] = []) {
  return createClient({
    url: 'https://shop.test/graphql',
    fetch: taroFetch(taro),
    webSocketImpl: taroWebSocket(taro),
    retryWait: async (retries) => {
      waits.push(retries);
      await new Promise((r) => setTimeout(r, 5));
    },
  });
}

describe('taroWebSocket with graphql-ws', () => {
  it('opens one graphql-transport-ws socket for every subscription, the token in connection_init', async () => {
    // given
    const taro = new FakeTaro();
    const client = socketClient(taro);
    client.tokens.set({ accessToken: 'tok.en.one', refreshToken: 'r' });
    const seen: string[] = [];
    // when: two subscriptions
    const stopA = client.subscribe(OrderStatusDocument, { orderId: 'A' }, { next: (d) => seen.push(d.orderStatus.id) });
    const stopB = client.subscribe(OrderStatusDocument, { orderId: 'B' }, { next: (d) => seen.push(d.orderStatus.id) });
    await until(() => seen.length === 2);
    // then
    expect(taro.sockets).toHaveLength(1);
    const socket = taro.sockets[0];
    expect(socket.url).toBe('wss://shop.test/graphql');
    expect(socket.protocols).toEqual(['graphql-transport-ws']);
    expect(socket.sent[0]).toEqual({ type: 'connection_init', payload: { authorization: 'Bearer tok.en.one' } });
    const subscribes = socket.sent.filter((m) => m.type === 'subscribe');
    expect(subscribes.map((m) => m.payload.documentId)).toEqual([documentIdOf(OrderStatusDocument), documentIdOf(OrderStatusDocument)]);
    expect(subscribes[0].payload.query).toBe("");
    expect(seen.sort()).toEqual(['A', 'B']);
    stopA();
    stopB();
  });

  it('reconnects with backoff after a dropped socket and resubscribes', async () => {
    const taro = new FakeTaro();
    const waits: number[] = [];
    const client = socketClient(taro, waits);
    const seen: string[] = [];
    const stop = client.subscribe(OrderStatusDocument, { orderId: 'A' }, { next: (d) => seen.push(d.orderStatus.id) });
    await until(() => seen.length === 1);
    // when: the network drops the socket
    taro.sockets[0].drop(1006, 'network lost');
    // then: a new socket, the same subscription again
    await until(() => seen.length === 2);
    expect(taro.sockets).toHaveLength(2);
    expect(waits).toEqual([0]);
    expect(taro.sockets[1].sent.filter((m) => m.type === 'subscribe')).toHaveLength(1);
    stop();
  });

  it('reconnects with the refreshed token when the tokens change', async () => {
    const taro = new FakeTaro();
    const client = socketClient(taro);
    client.tokens.set({ accessToken: 'first.token.x', refreshToken: 'r' });
    const seen: string[] = [];
    const stop = client.subscribe(OrderStatusDocument, { orderId: 'A' }, { next: (d) => seen.push(d.orderStatus.id) });
    await until(() => seen.length === 1);
    // when
    client.signIn({ accessToken: 'second.token.y', refreshToken: 'r2' });
    // then
    await until(() => taro.sockets.length === 2 && seen.length === 2);
    expect(taro.sockets[0].closed?.code).toBe(4205);
    expect(taro.sockets[1].sent[0].payload).toEqual({ authorization: 'Bearer second.token.y' });
    stop();
  });

  it('refreshes the token before reconnecting when the server closed the socket with 4403', async () => {
    const taro = new FakeTaro();
    taro.answer = () => ({ statusCode: 200, data: JSON.stringify({ data: { refreshToken: { __typename: 'AuthPayload', accessToken: 'fresh.token.z', refreshToken: 'r2', errors: [] } } }), header: { 'Content-Type': 'application/json' } });
    const client = socketClient(taro);
    client.tokens.set({ accessToken: 'stale.token.x', refreshToken: 'r' });
    const seen: string[] = [];
    const stop = client.subscribe(OrderStatusDocument, { orderId: 'A' }, { next: (d) => seen.push(d.orderStatus.id) });
    await until(() => seen.length === 1);
    taro.sockets[0].drop(4403, 'Access token expired; reconnect with a new one');
    await until(() => taro.sockets.length === 2 && seen.length === 2);
    expect(taro.sockets[1].sent[0].payload).toEqual({ authorization: 'Bearer fresh.token.z' });
    expect(client.tokens.get()?.accessToken).toBe('fresh.token.z');
    stop();
  });

  it('closes a socket asked to close before Taro connected it', async () => {
    const taro = new FakeTaro();
    const Impl = taroWebSocket(taro);
    const socket = new Impl('wss://shop.test/graphql', 'graphql-transport-ws');
    const closes: number[] = [];
    socket.onclose = (e: { code: number }) => closes.push(e.code);
    socket.close(1000, 'bye');
    await until(() => closes.length === 1);
    expect(taro.sockets[0].closed?.code).toBe(1000);
    expect(socket.readyState).toBe(3);
  });
});
