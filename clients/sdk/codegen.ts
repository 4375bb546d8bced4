// graphql-codegen's client preset over the committed ../../schema.graphql: typed documents in src/gql, and
// src/gql/persisted-documents.json (sha256 id -> document), the manifest the server trusts (TRUSTED_DOCUMENTS).
// The documents themselves are replaced by their ids: an app ships hashes, not query text, and needs no crypto.
import type { CodegenConfig } from '@graphql-codegen/cli';
import type { DocumentNode } from 'graphql';
import { addTypename, operationOf } from './scripts/add-typename';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/documents/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      // __typename in every selection (in the hashed text too): urql's document cache invalidates by type.
      documentTransforms: [{ transform: ({ documents }) => documents.map((d) => ({ ...d, document: d.document && addTypename(d.document) })) }],
      presetConfig: {
        fragmentMasking: false,
        // Kept beside the id: urql asks a document for its operation type before it sends it.
        onExecutableDocumentNode: (document: DocumentNode) => ({ operation: operationOf(document) }),
        persistedDocuments: { mode: 'replaceDocumentWithHash', hashPropertyName: 'documentId', hashAlgorithm: 'sha256' },
      },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { Long: 'number', DateTime: 'string', Upload: 'unknown', JSON: 'unknown' },
      },
    },
  },
};
export default config;
