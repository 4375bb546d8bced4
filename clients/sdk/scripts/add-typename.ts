import { Kind, visit, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/** The document with `__typename` selected in every selection set below the operation's root. */
export function addTypename(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet(node: SelectionSetNode, _key, parent) {
      const root = parent && !Array.isArray(parent) && (parent as { kind?: string }).kind === Kind.OPERATION_DEFINITION;
      const has = node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename');
      return root || has ? undefined : { ...node, selections: [...node.selections, TYPENAME] };
    },
  });
}

/** The type (query, mutation, subscription) of a document's operation. */
export function operationOf(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) if (definition.kind === Kind.OPERATION_DEFINITION) return definition.operation;
  return undefined;
}
