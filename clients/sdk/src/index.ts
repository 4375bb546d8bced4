export { Client, createClient, backoff, type ClientOptions, type Sink } from './client';
export { RequestError, userErrorsOf, type Result, type UserError } from './errors';
export { documentIdOf, toRequestDocument } from './persisted';
export { expiresAt, memoryTokens, storedTokens, type TokenStore, type Tokens } from './tokens';
export * from './gql/graphql';
