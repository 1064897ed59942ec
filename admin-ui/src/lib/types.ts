import type { ResultOf as TypedResultOf, TypedDocumentNode } from '@graphql-typed-document-node/core';

/**
 * The data type of an operation or (unmasked) fragment document. Codegen's own type names
 * repeat the suffix (`UsageCards_UsageOwnerFragmentFragment`) because our documents are named
 * `<Component>_<Type>Fragment`; deriving from the document keeps code readable.
 */
export type ResultOf<T extends TypedDocumentNode<unknown, never>> = TypedResultOf<T>;
