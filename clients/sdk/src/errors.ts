import type { CombinedError } from '@urql/core';

/** A mutation's expected failure, as the API returns it in `errors` (never thrown). */
export interface UserError {
  code: string;
  field?: readonly string[] | null;
  message: string;
}

/** A request's outcome: its data and the payload's user errors, or the request's own error (network, GraphQL). */
export type Result<T> =
  | { ok: true; data: T; userErrors: readonly UserError[] }
  | { ok: false; error: RequestError; data?: T; userErrors: readonly UserError[] };

export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly cause?: CombinedError,
  ) {
    super(message);
    this.name = 'RequestError';
  }

  static from(error: CombinedError): RequestError {
    const first = error.graphQLErrors[0];
    const code = (first?.extensions?.code as string | undefined) ?? (error.networkError ? 'NETWORK_ERROR' : 'UNKNOWN');
    const message = first?.message ?? error.networkError?.message ?? error.message;
    return new RequestError(message, code, error);
  }
}

/** The `errors` of every payload at the top of a mutation's data (each root field is one payload). */
export function userErrorsOf(data: unknown): UserError[] {
  if (!data || typeof data !== 'object') return [];
  const found: UserError[] = [];
  for (const payload of Object.values(data as Record<string, unknown>)) {
    const errors = payload && typeof payload === 'object' ? (payload as { errors?: unknown }).errors : undefined;
    if (Array.isArray(errors)) found.push(...(errors as UserError[]));
  }
  return found;
}
