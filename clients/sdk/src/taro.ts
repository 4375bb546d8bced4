/**
 * Adapters for Taro (mini-programs have neither `fetch` nor a WHATWG WebSocket):
 * - `taroFetch(Taro)`: a `fetch` over `Taro.request`, enough for urql (status, headers, text/json, abort);
 * - `taroWebSocket(Taro)`: a WebSocket-shaped class over `Taro.connectSocket`, for graphql-ws's `webSocketImpl`.
 * Only the few Taro calls below are used, so any object with them works (tests pass a fake).
 */

export interface TaroRequestOptions {
  url: string;
  method?: string;
  data?: unknown;
  header?: Record<string, string>;
  dataType?: string;
  responseType?: string;
  success?: (result: TaroRequestResult) => void;
  fail?: (error: { errMsg: string }) => void;
}

export interface TaroRequestResult {
  statusCode: number;
  data: unknown;
  header: Record<string, string>;
}

export interface TaroSocketTask {
  onOpen(callback: (result?: unknown) => void): void;
  onClose(callback: (result: { code: number; reason: string }) => void): void;
  onError(callback: (result: { errMsg: string }) => void): void;
  onMessage(callback: (result: { data: string | ArrayBuffer }) => void): void;
  send(options: { data: string; fail?: (error: { errMsg: string }) => void }): void;
  close(options: { code?: number; reason?: string }): void;
}

export interface TaroLike {
  request(options: TaroRequestOptions): { abort(): void } | Promise<unknown>;
  connectSocket(options: { url: string; protocols?: string[]; header?: Record<string, string> }): Promise<TaroSocketTask> | TaroSocketTask;
}

class TaroHeaders {
  private readonly values = new Map<string, string>();
  constructor(raw: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(raw)) this.values.set(k.toLowerCase(), String(v));
  }
  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }
  forEach(callback: (value: string, key: string) => void): void {
    this.values.forEach((v, k) => callback(v, k));
  }
}

function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (Array.isArray(headers)) for (const [k, v] of headers) out[k] = v;
  else if (typeof (headers as Headers).forEach === 'function') (headers as Headers).forEach((v, k) => (out[k] = v));
  else Object.assign(out, headers);
  return out;
}

/** `fetch` over `Taro.request`: the body is sent as text and the answer read as text (parsed by urql). */
export function taroFetch(taro: TaroLike): typeof fetch {
  return ((input: RequestInfo | URL, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal;
      if (signal?.aborted) return reject(abortError());
      const task = taro.request({
        url: typeof input === 'string' ? input : String((input as Request).url ?? input),
        method: (init.method ?? 'GET').toUpperCase(),
        data: init.body ?? undefined,
        header: plainHeaders(init.headers),
        dataType: 'text', // not 'json': urql parses, and an error body may not be JSON
        responseType: 'text',
        success: (result) => {
          const text = typeof result.data === 'string' ? result.data : JSON.stringify(result.data);
          const status = result.statusCode;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: String(status),
            headers: new TaroHeaders(result.header) as unknown as Headers,
            text: async () => text,
            json: async () => JSON.parse(text),
            body: null,
          } as unknown as Response);
        },
        fail: (error) => reject(new TypeError(`Taro.request failed: ${error.errMsg}`)),
      });
      signal?.addEventListener?.('abort', () => {
        if (task && 'abort' in task) task.abort();
        reject(abortError());
      });
    })) as typeof fetch;
}

function abortError(): Error {
  const error = new Error('The request was aborted');
  error.name = 'AbortError';
  return error;
}

type Listener = ((event: any) => void) | null;

/** A WebSocket class over `Taro.connectSocket`, as graphql-ws uses one (`webSocketImpl`). */
export function taroWebSocket(taro: TaroLike) {
  return class TaroWebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSING = 2;
    readonly CLOSED = 3;
    readyState = 0;
    protocol = '';
    onopen: Listener = null;
    onclose: Listener = null;
    onerror: Listener = null;
    onmessage: Listener = null;
    private task: TaroSocketTask | null = null;
    private closeWanted: { code: number; reason: string } | null = null;

    constructor(
      readonly url: string,
      protocols?: string | string[],
    ) {
      const list = protocols === undefined ? [] : Array.isArray(protocols) ? protocols : [protocols];
      this.protocol = list[0] ?? '';
      Promise.resolve(taro.connectSocket({ url, protocols: list }))
        .then((task) => this.attach(task))
        .catch((error: { errMsg?: string }) => this.finish(1006, error?.errMsg ?? 'connectSocket failed', true));
    }

    send(data: string): void {
      if (this.readyState !== 1 || !this.task) throw new Error('WebSocket is not open');
      this.task.send({ data, fail: (e) => this.onerror?.({ type: 'error', message: e.errMsg }) });
    }

    close(code = 1000, reason = ''): void {
      if (this.readyState >= 2) return;
      this.readyState = 2;
      if (this.task) this.task.close({ code, reason });
      else this.closeWanted = { code, reason }; // connectSocket has not answered yet
    }

    private attach(task: TaroSocketTask): void {
      this.task = task;
      task.onOpen(() => {
        if (this.closeWanted) return task.close(this.closeWanted);
        this.readyState = 1;
        this.onopen?.({ type: 'open' });
      });
      task.onMessage(({ data }) => this.onmessage?.({ type: 'message', data }));
      task.onError(({ errMsg }) => this.onerror?.({ type: 'error', message: errMsg }));
      task.onClose(({ code, reason }) => this.finish(code, reason, false));
    }

    private finish(code: number, reason: string, error: boolean): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      if (error) this.onerror?.({ type: 'error', message: reason });
      this.onclose?.({ type: 'close', code, reason, wasClean: code === 1000 });
    }
  };
}
