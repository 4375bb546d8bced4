import { createClient, RequestError, storedTokens, type Result, type Sink } from '@youxianggou/sdk';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useRef, useState } from 'react';

// The API is the server that served this page: no other host is ever asked for anything.
const url = `${location.origin}/graphql`;
export const client = createClient({
  url,
  wsUrl: url.replace(/^http/, 'ws'),
  fetch: window.fetch.bind(window),
  webSocketImpl: WebSocket,
  tokens: storedTokens(localStorage),
  onSignedOut: () => location.assign('/me'),
});

export function signedIn(): boolean {
  return client.tokens.get() !== null;
}

export function idempotencyKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export interface QueryState<R> {
  data?: R;
  error?: RequestError;
  loading: boolean;
  reload: () => void;
}

/** A query's state for a component: loading, its data, or its error (each page shows one of them). `fresh`: ask the
 * server even the first time (an editor must start from the current draft, not from a cached one). */
export function useQuery<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V, skip = false, fresh = false): QueryState<R> {
  const [state, setState] = useState<{ data?: R; error?: RequestError; loading: boolean }>({ loading: !skip });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    client.query(document, JSON.parse(key) as V, tick || fresh ? 'network-only' : undefined).then((result: Result<R>) => {
      if (!live) return;
      setState(result.ok ? { data: result.data, loading: false } : { error: result.error, data: result.data, loading: false });
    });
    return () => {
      live = false;
    };
  }, [document, key, tick, skip, fresh]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Subscribes while the component is shown (and `enabled`), each event to `onEvent`. */
export function useSubscription<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V, onEvent: (data: R) => void, enabled = true): RequestError | null {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [error, setError] = useState<RequestError | null>(null);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (!enabled) return;
    const sink: Sink<R> = { next: (data) => handler.current(data), error: setError };
    return client.subscribe(document, JSON.parse(key) as V, sink);
  }, [document, key, enabled]);
  return error;
}
