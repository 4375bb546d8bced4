import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { authExchange } from '@urql/exchange-auth';
import {
  Client as UrqlClient,
  cacheExchange,
  fetchExchange,
  subscriptionExchange,
  type AnyVariables,
  type OperationResult,
  type RequestPolicy,
} from '@urql/core';
import { createClient as createWsClient, type Client as WsClient, type SubscribePayload } from 'graphql-ws';
import { RequestError, userErrorsOf, type Result } from './errors';
import { RefreshTokenDocument } from './gql/graphql';
import { contextFor, persistedDocuments, toRequestDocument } from './persisted';
import { expiresAt, memoryTokens, type TokenStore, type Tokens } from './tokens';

export interface ClientOptions {
  /** The API's HTTP endpoint, e.g. https://shop.example.com/graphql. */
  url: string;
  /** Its WebSocket endpoint (graphql-transport-ws); by default `url` with ws(s):. */
  wsUrl?: string;
  /** `fetch`, or `taroFetch(Taro)` in a mini-program (which has none). */
  fetch?: typeof fetch;
  /** The WebSocket class, or `taroWebSocket(Taro)` in a mini-program; none: no subscriptions. */
  webSocketImpl?: unknown;
  tokens?: TokenStore;
  /** Called when the refresh token is refused too: the viewer must sign in again. */
  onSignedOut?: () => void;
  /** Queries by GET (cacheable by id: documents are sent as their `documentId`) when the URL stays short. */
  preferGetMethod?: boolean;
  requestPolicy?: RequestPolicy;
  /** How long to wait before reconnect number `retries` (from 0); by default exponential from 1 s to 30 s, jittered. */
  retryWait?: (retries: number) => Promise<void>;
}

export interface Sink<T> {
  next(data: T): void;
  error?(error: RequestError): void;
  complete?(): void;
}

const REFRESH_MARGIN_SECONDS = 30; // refresh an access token this long before it expires
const RESTART_CODE = 4205; // closing our own socket for a new token: graphql-ws retries it
const FORBIDDEN_CODE = 4403; // the server closed the socket: its token expired or was revoked

export function backoff(retries: number): Promise<void> {
  const ms = Math.min(30_000, 1000 * 2 ** retries) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function socketUrl(url: string): string {
  return url.replace(/^http(s?):/, 'ws$1:');
}

/** The typed client of the API: one urql client for queries and mutations, one multiplexed graphql-ws socket
 * (mini-programs allow 5 sockets) for every subscription. */
export class Client {
  readonly urql: UrqlClient;
  readonly ws: WsClient | null;
  readonly tokens: TokenStore;
  private refreshing: Promise<boolean> | null = null;
  private socketTokenStale = false;
  private restartSocket: (() => void) | null = null;

  constructor(private readonly options: ClientOptions) {
    this.tokens = options.tokens ?? memoryTokens();
    this.ws = options.webSocketImpl ? this.createSocket() : null;
    const ws = this.ws;
    this.urql = new UrqlClient({
      url: options.url,
      fetch: options.fetch,
      preferGetMethod: options.preferGetMethod === false ? false : 'within-url-limit',
      requestPolicy: options.requestPolicy ?? 'cache-and-network',
      exchanges: [
        cacheExchange,
        authExchange(async (utils) => ({
          addAuthToOperation: (operation) => {
            const token = (operation.context as { skipAuth?: boolean }).skipAuth ? undefined : this.tokens.get()?.accessToken;
            return token ? utils.appendHeaders(operation, { Authorization: `Bearer ${token}` }) : operation;
          },
          willAuthError: () => this.expiresSoon(),
          didAuthError: (error) =>
            error.response?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'),
          refreshAuth: async () => {
            await this.refresh(async (refreshToken) => {
              const context = { ...contextFor(RefreshTokenDocument), skipAuth: true }; // not the refused token again
              const result = await utils.mutate(toRequestDocument(RefreshTokenDocument), { refreshToken }, context);
              return (result.data as { refreshToken?: { accessToken?: string | null; refreshToken?: string | null } } | undefined)?.refreshToken ?? null;
            });
          },
        })),
        persistedDocuments,
        fetchExchange,
        ...(ws
          ? [
              subscriptionExchange({
                forwardSubscription: (request) => ({
                  // graphql-ws insists on a string query: "" beside the documentId (the server reads the id).
                  subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' } as SubscribePayload, sink) }),
                }),
              }),
            ]
          : []),
      ],
    });
  }

  /** Sign in with the tokens of a login payload (devLogin, loginWithWechat); the socket reconnects with them. */
  signIn(tokens: Tokens): void {
    this.tokens.set(tokens);
    this.reconnect();
  }

  signOut(): void {
    this.tokens.set(null);
    this.reconnect();
  }

  /** Restart the socket (its connection_init carries the token); subscriptions resubscribe on the new one. */
  reconnect(): void {
    this.restartSocket?.();
  }

  async query<R, V extends AnyVariables>(document: TypedDocumentNode<R, V>, variables: V, policy?: RequestPolicy): Promise<Result<R>> {
    // network-only asks the server itself: a public query goes over GET with Cache-Control max-age, and the
    // browser's HTTP cache would otherwise answer a reload (after a write) with what it had before.
    const fresh = policy === 'network-only' ? { fetchOptions: { cache: 'no-cache' as RequestCache } } : {};
    const context = { ...contextFor(document), ...(policy ? { requestPolicy: policy } : {}), ...fresh };
    const source = this.urql.query(toRequestDocument(document), variables, context);
    return settle(await source.toPromise());
  }

  async mutate<R, V extends AnyVariables>(document: TypedDocumentNode<R, V>, variables: V): Promise<Result<R>> {
    return settle(await this.urql.mutation(toRequestDocument(document), variables, contextFor(document)).toPromise());
  }

  /** Each event of a subscription until `unsubscribe()` (returned) or its end; a dropped socket resubscribes. */
  subscribe<R, V extends AnyVariables>(document: TypedDocumentNode<R, V>, variables: V, sink: Sink<R>): () => void {
    const { unsubscribe } = this.urql.subscription(toRequestDocument(document), variables, contextFor(document)).subscribe((result: OperationResult<R, V>) => {
      if (result.error) sink.error?.(RequestError.from(result.error));
      else if (result.data) sink.next(result.data);
    });
    return unsubscribe;
  }

  /** Trade the refresh token for new tokens (one exchange at a time); false when there is none or it is refused. */
  private refresh(exchange: (refreshToken: string) => Promise<{ accessToken?: string | null; refreshToken?: string | null } | null>): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const current = this.tokens.get();
        if (!current?.refreshToken) return false;
        const next = await exchange(current.refreshToken).catch(() => null);
        if (next?.accessToken && next.refreshToken) {
          this.tokens.set({ accessToken: next.accessToken, refreshToken: next.refreshToken });
          this.reconnect();
          return true;
        }
        this.tokens.set(null);
        this.options.onSignedOut?.();
        return false;
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** A fresh access token for a socket's connection_init (refreshed first when it expires soon or was refused). */
  private async socketToken(): Promise<string | undefined> {
    if (this.socketTokenStale || this.expiresSoon()) {
      this.socketTokenStale = false;
      await this.refresh(async (refreshToken) => {
        const context = { ...contextFor(RefreshTokenDocument), skipAuth: true };
        const result = await this.urql.mutation(toRequestDocument(RefreshTokenDocument), { refreshToken }, context).toPromise();
        return result.data?.refreshToken ?? null;
      });
    }
    return this.tokens.get()?.accessToken;
  }

  private expiresSoon(): boolean {
    const token = this.tokens.get()?.accessToken;
    const exp = token ? expiresAt(token) : null;
    return exp !== null && exp - Date.now() / 1000 < REFRESH_MARGIN_SECONDS;
  }

  private createSocket(): WsClient {
    return createWsClient({
      url: this.options.wsUrl ?? socketUrl(this.options.url),
      webSocketImpl: this.options.webSocketImpl,
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: this.options.retryWait ?? backoff,
      connectionParams: async () => {
        const token = await this.socketToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      on: {
        connected: (socket) => {
          const s = socket as { readyState: number; close(code: number, reason: string): void };
          this.restartSocket = () => {
            if (s.readyState === 1) s.close(RESTART_CODE, 'New token');
          };
        },
        closed: (event) => {
          this.restartSocket = null;
          if ((event as { code?: number } | undefined)?.code === FORBIDDEN_CODE) this.socketTokenStale = true;
        },
      },
    });
  }
}

function settle<R>(result: OperationResult<R>): Result<R> {
  const userErrors = userErrorsOf(result.data);
  if (result.error) return { ok: false, error: RequestError.from(result.error), data: result.data, userErrors };
  return { ok: true, data: result.data as R, userErrors };
}

export function createClient(options: ClientOptions): Client {
  return new Client(options);
}
