import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { makeOperation, mapExchange, type Exchange, type OperationContext } from '@urql/core';
import { Kind, type DocumentNode, type OperationTypeNode } from 'graphql';

/** What codegen emits for a document in `replaceDocumentWithHash` mode: its sha256 id and operation type, no text. */
interface HashedDocument {
  __meta__?: { documentId?: string; operation?: OperationTypeNode };
}

const cache = new WeakMap<object, DocumentNode>();

export function documentIdOf(document: object): string | undefined {
  return (document as HashedDocument).__meta__?.documentId;
}

/**
 * The document urql is given for a generated one: an operation of the right type with nothing selected (urql checks
 * the type), and its id in the operation's context, where `persistedDocuments` finds it. A document with its text
 * (an app's own, from `graphql()` or parsed) goes as it is.
 */
export function toRequestDocument<R, V>(document: TypedDocumentNode<R, V>): TypedDocumentNode<R, V> {
  const meta = (document as HashedDocument).__meta__;
  if (!meta?.documentId || (document as DocumentNode).definitions?.length) return document;
  let stub = cache.get(document);
  if (!stub) {
    stub = {
      kind: Kind.DOCUMENT,
      definitions: [{ kind: Kind.OPERATION_DEFINITION, operation: meta.operation ?? ('query' as OperationTypeNode), selectionSet: { kind: Kind.SELECTION_SET, selections: [] } }],
      documentId: meta.documentId,
    } as DocumentNode;
    cache.set(document, stub);
  }
  return stub as TypedDocumentNode<R, V>;
}

export function contextFor(document: object): Partial<OperationContext> | undefined {
  const documentId = documentIdOf(document);
  return documentId && !(document as DocumentNode).definitions?.length ? { documentId } : undefined;
}

/**
 * Sends each generated document as `{"documentId": "sha256:..."}` (GraphQL-over-HTTP's persisted documents, and
 * the same in a graphql-ws subscribe payload): urql sends a document's id instead of its text when it has no
 * definitions. Put it before fetchExchange and subscriptionExchange.
 */
export const persistedDocuments: Exchange = mapExchange({
  onOperation(operation) {
    const documentId = (operation.context as { documentId?: string }).documentId;
    if (!documentId || operation.kind === 'teardown') return operation;
    const query = { kind: Kind.DOCUMENT, definitions: [], documentId } as unknown as DocumentNode;
    return makeOperation(operation.kind, { key: operation.key, query, variables: operation.variables }, operation.context);
  },
});
