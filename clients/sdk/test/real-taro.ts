// A Taro object over Node's own fetch and the `ws` package, so the adapters run against the real server.
import WebSocket from 'ws';
import type { TaroLike, TaroRequestOptions, TaroSocketTask } from '../src/taro';

export function nodeTaro(): TaroLike & { sockets: number } {
  const taro = {
    sockets: 0,
    request(options: TaroRequestOptions) {
      const controller = new AbortController();
      fetch(options.url, { method: options.method, headers: options.header, body: options.method === 'GET' ? undefined : (options.data as string), signal: controller.signal })
        .then(async (response) => {
          const header: Record<string, string> = {};
          response.headers.forEach((v, k) => (header[k] = v));
          options.success?.({ statusCode: response.status, data: await response.text(), header });
        })
        .catch((error: Error) => options.fail?.({ errMsg: `request:fail ${error.message}` }));
      return { abort: () => controller.abort() };
    },
    async connectSocket(options: { url: string; protocols?: string[] }): Promise<TaroSocketTask> {
      taro.sockets += 1;
      const ws = new WebSocket(options.url, options.protocols);
      return {
        onOpen: (cb) => ws.on('open', () => cb()),
        onClose: (cb) => ws.on('close', (code, reason) => cb({ code, reason: reason.toString() })),
        onError: (cb) => ws.on('error', (e) => cb({ errMsg: e.message })),
        onMessage: (cb) => ws.on('message', (data) => cb({ data: data.toString() })),
        send: ({ data }) => ws.send(data),
        close: ({ code, reason }) => ws.close(code, reason),
      };
    },
  };
  return taro;
}
