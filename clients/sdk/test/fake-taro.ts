import type { TaroLike, TaroRequestOptions, TaroSocketTask } from '../src/taro';

/** A fake Taro: records each request and answers with `answer`; sockets are FakeSocketTasks a test drives. */
export class FakeTaro implements TaroLike {
  requests: TaroRequestOptions[] = [];
  sockets: FakeSocketTask[] = [];
  aborted = 0;
  answer: (options: TaroRequestOptions) => { statusCode: number; data: unknown; header?: Record<string, string> } | 'fail' = () => ({
    statusCode: 200,
    data: '{"data":{}}',
    header: { 'Content-Type': 'application/json' },
  });
  /** What each new socket does with the client's messages; by default a graphql-transport-ws server in miniature. */
  server: (socket: FakeSocketTask, message: any) => void = miniServer;

  request(options: TaroRequestOptions) {
    this.requests.push(options);
    const timer = setTimeout(() => {
      const result = this.answer(options);
      if (result === 'fail') options.fail?.({ errMsg: 'request:fail timeout' });
      else options.success?.({ statusCode: result.statusCode, data: result.data, header: result.header ?? {} });
    }, 1);
    return { abort: () => (clearTimeout(timer), (this.aborted += 1)) };
  }

  async connectSocket(options: { url: string; protocols?: string[] }) {
    const socket = new FakeSocketTask(options.url, options.protocols ?? [], this);
    this.sockets.push(socket);
    setTimeout(() => socket.open(), 1);
    return socket;
  }
}

export class FakeSocketTask implements TaroSocketTask {
  sent: any[] = [];
  closed: { code?: number; reason?: string } | null = null;
  private handlers: Record<string, ((arg: any) => void)[]> = {};
  constructor(
    readonly url: string,
    readonly protocols: string[],
    private readonly taro: FakeTaro,
  ) {}
  onOpen(cb: () => void) { (this.handlers.open ??= []).push(cb); }
  onClose(cb: (r: { code: number; reason: string }) => void) { (this.handlers.close ??= []).push(cb); }
  onError(cb: (r: { errMsg: string }) => void) { (this.handlers.error ??= []).push(cb); }
  onMessage(cb: (r: { data: string }) => void) { (this.handlers.message ??= []).push(cb); }
  send({ data }: { data: string }) {
    const message = JSON.parse(data);
    this.sent.push(message);
    this.taro.server(this, message);
  }
  close({ code, reason }: { code?: number; reason?: string }) {
    this.closed = { code, reason };
    setTimeout(() => this.emit('close', { code: code ?? 1000, reason: reason ?? '' }), 1);
  }
  open() { this.emit('open', {}); }
  /** The server's side: a message to the client, or dropping the connection. */
  push(message: object) { this.emit('message', { data: JSON.stringify(message) }); }
  drop(code = 1006, reason = '') { this.emit('close', { code, reason }); }
  private emit(kind: string, arg: unknown) { for (const cb of this.handlers[kind] ?? []) cb(arg); }
}

/** Acknowledges connection_init and answers each subscribe with one `next` naming its document id. */
export function miniServer(socket: FakeSocketTask, message: any): void {
  if (message.type === 'connection_init') setTimeout(() => socket.push({ type: 'connection_ack' }), 1);
  if (message.type === 'subscribe') {
    setTimeout(() => socket.push({ id: message.id, type: 'next', payload: { data: { orderStatus: { __typename: 'Order', id: message.payload.variables.orderId, status: 'PAID' } } } }), 1);
  }
}

export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
